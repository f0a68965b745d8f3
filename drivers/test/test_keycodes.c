/* The keycodes libvirt's test driver accepts in SendKey, per codeset: the values of libvirt's
 * keymap tables (virKeycodeValueTranslate of a codeset to itself), as ranges. Measured against
 * libvirt 9.0's test driver by sending every value from 0 to 0x1ffff. */
#include <stddef.h>

#include "drivers/test/test_private.h"

struct keycode_range {
    unsigned int first, last;
};

static const struct keycode_range linux_ranges[] = {
    { 0, 265 }, { 272, 279 }, { 288, 299 }, { 303, 318 }, { 320, 327 }, { 330, 337 }, { 352, 439 },
    { 448, 451 }, { 464, 484 }, { 497, 506 }, { 512, 524 },
};
static const struct keycode_range xt_ranges[] = {
    { 0, 95 }, { 99, 109 }, { 111, 121 }, { 123, 123 }, { 125, 126 }, { 57345, 57356 }, { 57358, 57360 },
    { 57362, 57385 }, { 57387, 57398 }, { 57400, 57439 }, { 57443, 57453 }, { 57455, 57465 },
    { 57467, 57467 }, { 57469, 57469 },
};
static const struct keycode_range atset1_ranges[] = {
    { 0, 95 }, { 99, 109 }, { 111, 121 }, { 123, 123 }, { 125, 126 }, { 57345, 57356 }, { 57358, 57360 },
    { 57362, 57385 }, { 57387, 57398 }, { 57400, 57439 }, { 57443, 57453 }, { 57455, 57465 },
    { 57467, 57467 }, { 57469, 57469 },
};
static const struct keycode_range atset2_ranges[] = {
    { 0, 1 }, { 3, 7 }, { 9, 15 }, { 17, 22 }, { 26, 30 }, { 33, 39 }, { 41, 47 }, { 49, 55 }, { 58, 63 },
    { 65, 70 }, { 73, 78 }, { 81, 82 }, { 84, 85 }, { 88, 91 }, { 93, 93 }, { 95, 95 }, { 97, 100 },
    { 102, 103 }, { 105, 109 }, { 112, 127 }, { 131, 131 }, { 57360, 57362 }, { 57364, 57365 },
    { 57368, 57368 }, { 57375, 57377 }, { 57379, 57379 }, { 57383, 57384 }, { 57387, 57387 },
    { 57391, 57392 }, { 57394, 57394 }, { 57396, 57396 }, { 57399, 57400 }, { 57402, 57403 },
    { 57407, 57408 }, { 57416, 57416 }, { 57418, 57418 }, { 57421, 57421 }, { 57424, 57424 },
    { 57434, 57434 }, { 57438, 57438 }, { 57449, 57449 }, { 57451, 57452 }, { 57455, 57458 },
    { 57460, 57461 }, { 57463, 57463 }, { 57465, 57466 }, { 57469, 57469 },
};
static const struct keycode_range atset3_ranges[] = {
    { 0, 0 }, { 7, 63 }, { 65, 71 }, { 73, 79 }, { 82, 82 }, { 84, 103 }, { 105, 118 }, { 121, 122 },
    { 124, 131 }, { 133, 135 }, { 139, 142 }, { 145, 145 }, { 147, 152 }, { 154, 163 },
};
static const struct keycode_range os_x_ranges[] = {
    { 0, 51 }, { 53, 65 }, { 67, 67 }, { 69, 69 }, { 71, 76 }, { 78, 107 }, { 109, 111 }, { 113, 126 },
    { 255, 255 },
};
static const struct keycode_range xt_kbd_ranges[] = {
    { 0, 95 }, { 99, 109 }, { 111, 121 }, { 123, 123 }, { 125, 126 }, { 257, 268 }, { 270, 272 },
    { 274, 297 }, { 299, 310 }, { 312, 351 }, { 355, 365 }, { 367, 377 }, { 379, 379 }, { 381, 381 },
};
static const struct keycode_range usb_ranges[] = {
    { 0, 0 }, { 4, 48 }, { 50, 119 }, { 121, 125 }, { 133, 133 }, { 135, 140 }, { 144, 148 }, { 182, 183 },
    { 224, 251 },
};
static const struct keycode_range win32_ranges[] = {
    { 0, 2 }, { 4, 6 }, { 8, 9 }, { 13, 13 }, { 17, 22 }, { 26, 29 }, { 32, 42 }, { 44, 57 }, { 65, 93 },
    { 95, 135 }, { 144, 145 }, { 160, 161 }, { 163, 163 }, { 165, 180 }, { 186, 192 }, { 219, 222 },
    { 226, 226 }, { 242, 242 }, { 250, 251 },
};
static const struct keycode_range qnum_ranges[] = {
    { 0, 95 }, { 99, 109 }, { 111, 121 }, { 123, 123 }, { 125, 126 }, { 129, 140 }, { 142, 144 },
    { 146, 169 }, { 171, 182 }, { 184, 223 }, { 227, 237 }, { 239, 249 }, { 251, 251 }, { 253, 253 },
};

struct keycode_set {
    const char *name;
    const struct keycode_range *ranges;
    size_t n_ranges;
};

#define KEYCODE_SET(name) { #name, name##_ranges, ARRAY_SIZE(name##_ranges) }
static const struct keycode_set keycode_sets[] = {
    KEYCODE_SET(linux), KEYCODE_SET(xt),     KEYCODE_SET(atset1), KEYCODE_SET(atset2), KEYCODE_SET(atset3),
    KEYCODE_SET(os_x),  KEYCODE_SET(xt_kbd), KEYCODE_SET(usb),    KEYCODE_SET(win32),  KEYCODE_SET(qnum),
};

const char *test_keycode_set_name(unsigned int codeset)
{
    return codeset < ARRAY_SIZE(keycode_sets) ? keycode_sets[codeset].name : "(null)";
}

bool test_keycode_valid(unsigned int codeset, unsigned int keycode)
{
    const struct keycode_set *set;

    if (codeset >= ARRAY_SIZE(keycode_sets))
        return false;
    set = &keycode_sets[codeset];
    for (size_t i = 0; i < set->n_ranges; i++)
        if (keycode >= set->ranges[i].first && keycode <= set->ranges[i].last)
            return true;
    return false;
}
