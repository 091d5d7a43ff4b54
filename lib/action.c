/* The action table (lib/action.h), expanded once. */
#include "action.h"

#include <string.h>

#include <cjson/cJSON.h>

static const struct osl_action_def table[] = {
#define OSL_ACTION_ROW(id, name, access, cat, type, operand) \
	[OSL_ACT_##id] = { name, OSL_ACCESS_##access, cat, type, OSL_OPERAND_##operand },
	OSL_ACTIONS(OSL_ACTION_ROW)
#undef OSL_ACTION_ROW
};

_Static_assert(sizeof(table) / sizeof(table[0]) == OSL_ACT__COUNT, "one row per action");

const struct osl_action_def *
osl_action(enum osl_action a)
{
	/* out of range: no access, so refused */
	static const struct osl_action_def none = { "?", OSL_ACCESS_NONE, "process", "info",
		OSL_OPERAND_NONE };

	return (unsigned)a < OSL_ACT__COUNT ? &table[a] : &none;
}

const char *
osl_action_name(enum osl_action a)
{
	return osl_action(a)->name;
}

bool
osl_action_by_name(const char *name, enum osl_action *out)
{
	for (unsigned i = 0; name && i < OSL_ACT__COUNT; i++)
		if (strcmp(table[i].name, name) == 0) {
			*out = (enum osl_action)i;
			return true;
		}
	return false;
}

bool
osl_action_access(const char *name, enum osl_access *out)
{
	enum osl_action a;

	if (!osl_action_by_name(name, &a) || table[a].access == OSL_ACCESS_NONE)
		return false;
	*out = table[a].access;
	return true;
}

const char *
osl_access_name(enum osl_access a)
{
	static const char *const names[] = {
		"none", "read", "write", "exec", "connect", "bind", "resolve", "signal",
	};

	return (unsigned)a <= OSL_ACCESS_SIGNAL ? names[a] : "?";
}

cJSON *
osl_action_record(enum osl_action a, const char *outcome)
{
	const struct osl_action_def *d = osl_action(a);
	cJSON *rec = cJSON_CreateObject(), *ev = cJSON_AddObjectToObject(rec, "event");

	if (!ev || !cJSON_AddItemToArray(cJSON_AddArrayToObject(ev, "category"),
	    cJSON_CreateString(d->category)) ||
	    !cJSON_AddItemToArray(cJSON_AddArrayToObject(ev, "type"), cJSON_CreateString(d->type)) ||
	    !cJSON_AddStringToObject(ev, "action", d->name) ||
	    !cJSON_AddStringToObject(ev, "outcome", outcome)) {
		cJSON_Delete(rec);
		return NULL;
	}
	return rec;
}
