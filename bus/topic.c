/* AMQP 0-10 topic matching, as qpidd and RabbitMQ bind topics: words split on '.', '*' matches
 * one word, '#' zero or more. */
#include <stdbool.h>
#include <string.h>

#include "bus/frontend.h"

/* Bindings are at most 255 bytes, so at most 128 words; subjects are ours (a handful). */
#define TOPIC_MAX_WORDS 128

struct words {
    const char *start[TOPIC_MAX_WORDS];
    size_t length[TOPIC_MAX_WORDS];
    size_t n;
};

static bool split(const char *s, struct words *w)
{
    w->n = 0;
    for (;;) {
        const char *dot = strchr(s, '.');
        if (w->n == TOPIC_MAX_WORDS)
            return false;
        w->start[w->n] = s;
        w->length[w->n] = dot ? (size_t) (dot - s) : strlen(s);
        w->n++;
        if (!dot)
            return true;
        s = dot + 1;
    }
}

static bool word_is(const struct words *w, size_t i, char c)
{
    return w->length[i] == 1 && w->start[i][0] == c;
}

/* Dynamic programming over (binding word, subject word): linear in their product, whatever
 * the binding (a backtracking matcher is exponential in the number of '#'). */
bool bus_topic_matches(const char *binding, const char *subject)
{
    static bool reach[TOPIC_MAX_WORDS + 1][TOPIC_MAX_WORDS + 1];
    struct words b, s;

    if (!binding || !subject || !split(binding, &b) || !split(subject, &s))
        return false;
    memset(reach, 0, sizeof(reach));
    reach[0][0] = true;
    for (size_t i = 0; i <= b.n; i++)
        for (size_t j = 0; j <= s.n; j++) {
            if (!reach[i][j] || i == b.n)
                continue;
            if (word_is(&b, i, '#')) {
                reach[i + 1][j] = true;          /* '#' takes no word */
                if (j < s.n)
                    reach[i][j + 1] = true;      /* '#' takes one more word */
            } else if (j < s.n && (word_is(&b, i, '*') ||
                                   (b.length[i] == s.length[j] &&
                                    memcmp(b.start[i], s.start[j], b.length[i]) == 0))) {
                reach[i + 1][j + 1] = true;
            }
        }
    return reach[b.n][s.n];
}
