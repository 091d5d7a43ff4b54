/* Between tree.c (the state machine) and plan.c (a reload's plan and
 * graft): the steps a reload reuses. */
#ifndef OSL_SUPERVISE_TREE_INT_H
#define OSL_SUPERVISE_TREE_INT_H

#include "supervise/tree.h"

/* Stop node ND (its stop signal, or its children in reverse for a
 * supervisor); REASON goes in the shutdown record, or NULL. */
void osl_sv_stop_node(struct osl_sv_tree *t, struct osl_sv_node *nd, uint64_t now,
    const char *reason);
/* Start node ND (a supervisor: its children, in order). */
void osl_sv_start_node(struct osl_sv_tree *t, struct osl_sv_node *nd, uint64_t now);
/* Step every supervisor until nothing moves. */
void osl_sv_settle(struct osl_sv_tree *t, uint64_t now);
/* Node ID and its subtree are no longer in the tree (ctl delete, reload). */
void osl_sv_take_out(struct osl_sv_tree *t, size_t id);
/* Pure: the name two children of ND share, or NULL (plan.c). */
const char *osl_sv_twin(const struct osl_sv_tree *t, const struct osl_sv_node *nd);

#endif
