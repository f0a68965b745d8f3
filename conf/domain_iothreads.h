/* A domain's I/O threads as libvirt formats them: <iothreads>, <iothreadids> and the
 * <iothreadpin> children of <cputune>, read and written through the text the model keeps for
 * elements it does not otherwise interpret. */
#pragma once

#include "conf/domain_def.h"

/* One I/O thread; cpumap NULL when not pinned. */
struct vb_iothread {
    unsigned int id;
    bool *cpumap;
};

/* Every CPU map holds ncpus entries (CPUs beyond it in the XML are dropped). */
struct vb_iothreads {
    struct vb_iothread *items;
    size_t n;
    unsigned int ncpus;
};

void vb_iothreads_clear(struct vb_iothreads *threads);

/* Reads the threads, ids filled as libvirt's virDomainIOThreadIDDefArrayInit fills ids the
 * XML leaves out. Returns 0, or -1 with err set. */
int vb_domain_def_get_iothreads(const struct vb_domain_def *def, unsigned int ncpus, struct vb_iothreads *out,
                                struct vb_error *err);

/* Replaces the threads and their pinning. Changes nothing on failure. */
int vb_domain_def_set_iothreads(struct vb_domain_def *def, const struct vb_iothreads *threads,
                                struct vb_error *err);

/* libvirt's virBitmapParse / virBitmapFormat for a CPU list ("0-3,^2,5"); CPUs at or beyond
 * ncpus are ignored when parsing. */
int vb_cpuset_parse(const char *text, bool *cpumap, unsigned int ncpus);
char *vb_cpuset_format(const bool *cpumap, unsigned int ncpus);
