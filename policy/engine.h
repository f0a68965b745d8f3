/* The one authorization engine every front end uses. A front end says who asks (a subject: a
 * uid, and how polkit can name the caller), which operation, on which object (the connection,
 * a domain by UUID, name, id or definition XML, or a network, pool, volume, node device or
 * interface by what names it) and with which flags; the engine answers
 * allow, deny (naming polkit's action), hidden (answered as libvirt's "not found") or pending
 * (polkit is being asked; the front end is told when to ask again). It also filters lists to
 * the objects a subject may see, and keeps polkit's answers in a short-lived cache.
 *
 * Root and the daemon's own user are trusted. A disabled engine (the session bus, where every
 * caller is the daemon's own user) allows everything. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <systemd/sd-bus.h>

#include "api/connect.h"
#include "api/objects.h"
#include "api/operation.h"
#include "policy/acl.h"
#include "policy/polkit.h"

struct policy_engine;

/* Who answers the engine's questions when it is not polkitd: an embedder's own authority, or a
 * unit test's. ask answers later through done (never from inside ask) unless cancel is called
 * with the handle it gave first. */
struct policy_authority {
    int (*ask)(void *userdata, const struct policy_subject *subject, const char *action,
               const struct policy_details *details, bool interactive, policy_polkit_done done, void *done_data,
               void **handle);
    void (*cancel)(void *userdata, void *handle);
    void *userdata;
};

struct policy_engine_options {
    bool enabled;
    unsigned int cache_seconds; /* how long a polkit decision is reused; 0: ask every time */
    sd_bus *polkit_bus;         /* the bus polkitd is on (the system bus) */
    const struct policy_authority *authority; /* instead of polkit (no cache then) */
};

int policy_engine_new(const struct policy_engine_options *options, struct policy_engine **out);
void policy_engine_free(struct policy_engine *engine);

/* False when the engine allows everything (the session bus). */
bool policy_engine_enabled(const struct policy_engine *engine);

/* True when nothing is checked for subject (a disabled engine, root, the daemon's own user). */
bool policy_engine_trusts(const struct policy_engine *engine, const struct policy_subject *subject);

/* How a request names its object. */
enum policy_ref {
    POLICY_REF_CONNECTION, /* no object: only the connection */
    POLICY_REF_UUID,       /* a domain, network or pool */
    POLICY_REF_NAME,       /* any kind (a volume: in the pool uuid names) */
    POLICY_REF_ID,         /* a domain */
    POLICY_REF_XML,        /* the domain a definition describes (it need not exist yet) */
    POLICY_REF_KEY,        /* a volume */
    POLICY_REF_PATH,       /* a volume */
    POLICY_REF_MAC,        /* an interface */
    POLICY_REF_WWN,        /* a node device: the SCSI host with WWNN name and WWPN wwpn */
};

struct policy_request {
    enum vb_operation op;
    struct vb_connect *conn;
    /* The kind of object ref names: POLICY_OBJECT_NETWORK, _STORAGE_POOL, _STORAGE_VOL,
     * _NODE_DEVICE, _INTERFACE; left 0 (POLICY_OBJECT_CONNECT), a domain. */
    enum policy_object object;
    enum policy_ref ref;
    const unsigned char *uuid; /* POLICY_REF_UUID; a volume by name: its pool */
    const char *name;          /* POLICY_REF_NAME, _KEY, _PATH, _MAC; POLICY_REF_WWN: the WWNN */
    const char *wwpn;          /* POLICY_REF_WWN */
    int id;                    /* POLICY_REF_ID */
    const char *xml;           /* POLICY_REF_XML; NULL or unparsable: the connection only. With a pool
                                * (by uuid): the volume it is asked to create */
    unsigned int flags;        /* what libvirt's check reads as flags (InterfaceAddresses: the source) */
};

/* One front-end call's authorization: the subject, and the answers polkit gave so far, which
 * outlive the cache so a call re-run after asking always sees them. */
struct policy_check;

/* Copies the subject's strings. */
struct policy_check *policy_check_new(struct policy_engine *engine, const struct policy_subject *subject,
                                      bool interactive);
/* Cancels the questions still out; resume will not run. */
void policy_check_free(struct policy_check *check);

/* Runs once, from the loop, when every question asked for the check has been answered; the
 * front end then decides again (the answers are in the check). */
void policy_check_on_answered(struct policy_check *check, void (*resume)(void *userdata), void *userdata);

/* Decides one request:
 *   0           allowed;
 *   -1          refused, err set: VB_ERR_ACCESS_DENIED "access denied by policy: <action>", the
 *               object's libvirt "not found" error when the subject may not see it, or
 *               VB_ERR_ACCESS_DENIED saying why authorization could not be checked;
 *   VB_PENDING  questions went to polkit (policy_check_on_answered tells when to decide again).
 * A call made of several requests (Properties.GetAll) decides each in turn; any VB_PENDING
 * means: wait, then decide them all again. */
int policy_check_decide(struct policy_check *check, const struct policy_request *request, struct vb_error *err);

/* For the operations that return domains (their rule has a list filter): whether the subject
 * may see the domain, from the check's answers or the cache. Deciding the request asked about
 * every domain listed then; one that appeared since has no answer and is not shown. */
bool policy_check_may_list(struct policy_check *check, enum vb_operation op, struct vb_connect *conn,
                           const unsigned char uuid[VB_UUID_LEN], const char *name);

/* Decides, asking polkit when needed, whether the subject may see one domain as op's list
 * filter says (the rule's own permissions included). Returns 0 decided, *visible saying the
 * verdict (false too when authorization could not be checked), or VB_PENDING: asked, and
 * policy_check_on_answered tells when to decide again. For what is sent to a subject unasked,
 * such as events. */
int policy_check_decide_listed(struct policy_check *check, enum vb_operation op, struct vb_connect *conn,
                               const unsigned char uuid[VB_UUID_LEN], const char *name, bool *visible);

/* Drops from refs the domains policy_check_may_list refuses, keeping the order. */
void policy_check_filter_domains(struct policy_check *check, enum vb_operation op, struct vb_connect *conn,
                                 struct vb_domain_ref *refs, size_t *n);

/* The same for the networks, pools, volumes, node devices or interfaces op lists (its rule's
 * list_object): ref as the core fills it. */
bool policy_check_may_list_object(struct policy_check *check, enum vb_operation op, struct vb_connect *conn,
                                  const struct vb_object_ref *ref);
int policy_check_decide_listed_object(struct policy_check *check, enum vb_operation op, struct vb_connect *conn,
                                      const struct vb_object_ref *ref, bool *visible);
void policy_check_filter_objects(struct policy_check *check, enum vb_operation op, struct vb_connect *conn,
                                 struct vb_object_ref *refs, size_t *n);

const struct policy_subject *policy_check_subject(const struct policy_check *check);
