/* Unit tests for the XML pre-scan: what it counts, where it is conservative, and the limits the
 * domain parser applies with it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def.h"
#include "conf/xml_scan.h"
#include "conf/xml_util.h"

/* Small limits, so each case sits just at or just over one of them. */
static struct vb_xml_limits limits(size_t element_attributes, size_t elements, size_t attributes,
                                   size_t namespaces)
{
    return (struct vb_xml_limits){ element_attributes, elements, attributes, namespaces };
}

static void expect_ok(const char *xml, struct vb_xml_limits lim)
{
    struct vb_error err = VB_ERROR_INIT;

    if (vb_xml_scan(xml, strlen(xml), &lim, "(test)", &err) < 0)
        fail_msg("refused \"%s\": %s", xml, vb_error_message(&err));
}

static void expect_refused(const char *xml, struct vb_xml_limits lim, const char *message)
{
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(vb_xml_scan(xml, strlen(xml), &lim, "(test)", &err), -1);
    assert_int_equal(err.code, VB_ERR_XML_ERROR);
    assert_string_equal(err.message, message);
    vb_error_clear(&err);
}

static void test_attributes_are_counted_per_element(void **state)
{
    expect_ok("<a b='1' c=\"2\"><d e='3' f='4'/></a>", limits(2, 10, 10, 10));
    expect_refused("<a b='1'><dd e='3' f='4' g='5'/></a>", limits(2, 10, 10, 10),
                   "XML error: element 'dd' in document (test) has more than 2 attributes");
    /* Blanks of every kind around '=' and between attributes. */
    expect_refused("<a\tb = '1'\nc\r=\"2\"  d='3'/>", limits(2, 10, 10, 10),
                   "XML error: element 'a' in document (test) has more than 2 attributes");
}

static void test_quoted_values_hold_markup_characters(void **state)
{
    /* '>' '=' and the other quote inside values neither end the tag nor count. */
    expect_ok("<a b='x>y=z\"w' c=\"'>=\"/>", limits(2, 10, 10, 10));
    expect_refused("<a b='x>y=z\"w' c=\"'>\" d='='/>", limits(2, 10, 10, 10),
                   "XML error: element 'a' in document (test) has more than 2 attributes");
    /* Text is not a tag: '=' there counts for nothing. */
    expect_ok("<a b='1'>x=1 y=2 z=3</a>", limits(1, 10, 10, 10));
}

/* libxml2 ends an attribute value at '<' and may go on from there: so does the scan. */
static void test_a_less_than_sign_in_a_value_starts_a_tag(void **state)
{
    expect_refused("<a b='<c d=\"1\" e=\"2\" f=\"3\"/>'/>", limits(2, 10, 10, 10),
                   "XML error: element 'c' in document (test) has more than 2 attributes");
    expect_refused("<a b='<c/>'/>", limits(5, 1, 10, 10),
                   "XML error: document (test) has more than 1 elements, comments and processing instructions");
}

static void test_end_tags_build_nothing_other_markup_does(void **state)
{
    expect_ok("<a><b></b><c></c></a>", limits(0, 3, 0, 0));
    expect_refused("<a><!-- c --></a>", limits(0, 1, 0, 0),
                   "XML error: document (test) has more than 1 elements, comments and processing instructions");
    expect_refused("<?xml version='1.0'?><a/>", limits(5, 1, 10, 0),
                   "XML error: document (test) has more than 1 elements, comments and processing instructions");
    /* Comments, CDATA, PIs and DOCTYPE with quotes and '>' inside stay one node each. */
    expect_ok("<!DOCTYPE a [<!ENTITY e 'x>y'>]><a><![CDATA[ ]] > ]]><?pi a='>'?><!-- -> > --></a>",
              limits(0, 6, 0, 0));
}

/* libxml2 resumes after an error inside what a lexer would take for comment or CDATA text, so
 * markup there is counted as markup. */
static void test_markup_in_comments_and_cdata_is_counted(void **state)
{
    expect_refused("<a><!-- <b c='' d=''/> --></a>", limits(1, 10, 10, 10),
                   "XML error: element 'b' in document (test) has more than 1 attributes");
    expect_refused("<a><![CDATA[<b/><b/>]]></a>", limits(1, 3, 10, 10),
                   "XML error: document (test) has more than 3 elements, comments and processing instructions");
}

/* Where a tag breaks the grammar libxml2 stops reading attributes; the scan then counts every
 * '=' up to the next '<', so its count never falls below libxml2's. */
static void test_broken_tags_are_counted_conservatively(void **state)
{
    expect_refused("<a b=c d='' e=''/>", limits(2, 10, 10, 10),
                   "XML error: element 'a' in document (test) has more than 2 attributes");
    expect_refused("<a b=''c='' d=''/>", limits(2, 10, 10, 10),
                   "XML error: element 'a' in document (test) has more than 2 attributes");
    expect_refused("<a b='' c='unterminated d='' e=''", limits(2, 10, 10, 10),
                   "XML error: element 'a' in document (test) has more than 2 attributes");
    expect_ok("<a b=c>", limits(1, 10, 10, 10));
}

static void test_document_totals(void **state)
{
    expect_ok("<a b=''><c d=''/><e f=''/></a>", limits(1, 10, 3, 10));
    expect_refused("<a b=''><c d=''/><e f=''/><g h=''/></a>", limits(1, 10, 3, 10),
                   "XML error: document (test) has more than 3 attributes");
    expect_ok("<a xmlns='u' xmlns:p='v' xmlnsx='' p:xmlns=''/>", limits(4, 10, 10, 2));
    expect_refused("<a xmlns='u'><b xmlns:p='v'/><c xmlns:q='w'/></a>", limits(4, 10, 10, 2),
                   "XML error: document (test) declares more than 2 namespaces");
}

static void test_element_names_in_messages_are_printable_and_short(void **state)
{
    char xml[200];

    expect_refused("<\xc3\xa9l\xc3\xa9ment a='' b=''/>", limits(1, 10, 10, 10),
                   "XML error: element '??l??ment' in document (test) has more than 1 attributes");
    memset(xml, 'n', sizeof(xml));
    memcpy(xml, "<", 1);
    snprintf(xml + 150, sizeof(xml) - 150, " a='' b=''/>");
    expect_refused(xml, limits(1, 10, 10, 10),
                   "XML error: element 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn' in document "
                   "(test) has more than 1 attributes");
}

static void test_text_without_markup_and_edges(void **state)
{
    expect_ok("", limits(0, 0, 0, 0));
    expect_ok("no markup at all > = ' \"", limits(0, 0, 0, 0));
    expect_refused("<", limits(0, 0, 0, 0),
                   "XML error: document (test) has more than 0 elements, comments and processing instructions");
    expect_ok("</a></b>", limits(0, 0, 0, 0));
}

/* A domain holding element_open, `repeat` units "<before><i><after>", element_close. */
static char *domain_with(const char *element_open, size_t repeat, const char *before, const char *after,
                         const char *element_close)
{
    struct vb_buf buf = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    char *xml;

    vb_buf_add(&buf, "<domain type='test'><name>t</name><memory>1024</memory><os><type>hvm</type></os>");
    vb_buf_add(&buf, element_open);
    for (size_t i = 0; i < repeat; i++)
        vb_buf_addf(&buf, "%s%zu%s", before, i, after);
    vb_buf_add(&buf, element_close);
    vb_buf_add(&buf, "</domain>");
    xml = vb_buf_steal(&buf, &err);
    assert_non_null(xml);
    return xml;
}

static void expect_domain(const char *xml, const char *message)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *def = vb_domain_def_parse_string(xml, &err);

    if (!message) {
        if (!def)
            fail_msg("refused: %s", vb_error_message(&err));
        vb_domain_def_free(def);
        return;
    }
    assert_null(def);
    assert_int_equal(err.code, VB_ERR_XML_ERROR);
    assert_string_equal(err.message, message);
    vb_error_clear(&err);
}

/* Every document the domain parser reads is scanned with the default limits. */
static void test_the_domain_parser_applies_the_default_limits(void **state)
{
    char *xml;

    xml = domain_with("<features", VB_XML_MAX_ELEMENT_ATTRIBUTES, " a", "=''", "/>");
    expect_domain(xml, NULL);
    free(xml);
    xml = domain_with("<features", VB_XML_MAX_ELEMENT_ATTRIBUTES + 1, " a", "=''", "/>");
    expect_domain(xml, "XML error: element 'features' in document (domain_definition) has more than 1024 "
                       "attributes");
    free(xml);
    /* The document's other elements count too: 6 of them around these. */
    xml = domain_with("<features>", VB_XML_MAX_ELEMENTS - 6, "<f", "/>", "</features>");
    expect_domain(xml, NULL);
    free(xml);
    xml = domain_with("<features>", VB_XML_MAX_ELEMENTS - 5, "<f", "/>", "</features>");
    expect_domain(xml, "XML error: document (domain_definition) has more than 100000 elements, comments and "
                       "processing instructions");
    free(xml);
    xml = domain_with("<metadata>", VB_XML_MAX_NAMESPACES + 1, "<m:x xmlns:m='urn:", "'/>", "</metadata>");
    expect_domain(xml, "XML error: document (domain_definition) declares more than 256 namespaces");
    free(xml);
    /* 50 attributes an element: under the per-element bound, over the document's at 4001. */
    xml = domain_with("<features>", VB_XML_MAX_ATTRIBUTES / 50 + 1,
                      "<f",
                      " a0='' a1='' a2='' a3='' a4='' a5='' a6='' a7='' a8='' a9=''"
                      " b0='' b1='' b2='' b3='' b4='' b5='' b6='' b7='' b8='' b9=''"
                      " c0='' c1='' c2='' c3='' c4='' c5='' c6='' c7='' c8='' c9=''"
                      " d0='' d1='' d2='' d3='' d4='' d5='' d6='' d7='' d8='' d9=''"
                      " e0='' e1='' e2='' e3='' e4='' e5='' e6='' e7='' e8='' e9=''/>",
                      "</features>");
    expect_domain(xml, "XML error: document (domain_definition) has more than 200000 attributes");
    free(xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attributes_are_counted_per_element),
        cmocka_unit_test(test_quoted_values_hold_markup_characters),
        cmocka_unit_test(test_a_less_than_sign_in_a_value_starts_a_tag),
        cmocka_unit_test(test_end_tags_build_nothing_other_markup_does),
        cmocka_unit_test(test_markup_in_comments_and_cdata_is_counted),
        cmocka_unit_test(test_broken_tags_are_counted_conservatively),
        cmocka_unit_test(test_document_totals),
        cmocka_unit_test(test_element_names_in_messages_are_printable_and_short),
        cmocka_unit_test(test_text_without_markup_and_edges),
        cmocka_unit_test(test_the_domain_parser_applies_the_default_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
