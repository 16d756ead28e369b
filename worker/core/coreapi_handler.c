/*
 * The HandlerService calls of the core's API (see coreapi.h): AlterInbound
 * with AddUserOperation / RemoveUserOperation, and the switch between the
 * v2fly ("v2ray.core.*") and Xray ("xray.*") names when the core rejects
 * ours.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/status.h>

#include "coreapi.h"
#include "coreapi_int.h"
#include "log.h"
#include "vapi.pb-c.h"

/* The HandlerService names of one core family. */
struct flavour {
	enum core_type type;
	const char *name;
	const char *alter_path;
	const char *add_op;
	const char *remove_op;
	const char *vless;
	const char *vmess;
	const char *trojan;
};

static const struct flavour flavours[] = {
	[FLAVOUR_V2FLY] = { CORE_V2FLY, "v2fly",
	    "/v2ray.core.app.proxyman.command.HandlerService/AlterInbound",
	    "v2ray.core.app.proxyman.command.AddUserOperation",
	    "v2ray.core.app.proxyman.command.RemoveUserOperation",
	    "v2ray.core.proxy.vless.Account", "v2ray.core.proxy.vmess.Account",
	    "v2ray.core.proxy.trojan.Account" },
	[FLAVOUR_XRAY] = { CORE_XRAY, "xray",
	    "/xray.app.proxyman.command.HandlerService/AlterInbound",
	    "xray.app.proxyman.command.AddUserOperation",
	    "xray.app.proxyman.command.RemoveUserOperation",
	    "xray.proxy.vless.Account", "xray.proxy.vmess.Account",
	    "xray.proxy.trojan.Account" },
};

/* What an AlterInbound call carries, independent of the flavour. */
struct alter {
	const char *tag;
	const char *email;
	int add;
	enum proto proto;
	const char *credential;
	const char *flow;
	unsigned int level;
};

/* Packs the account of AL for flavour FL; sets *TYPE to its type name. */
static size_t
pack_account(const struct flavour *fl, const struct alter *al,
    const char **type, uint8_t **out)
{
	Vapi__VlessAccount vless = VAPI__VLESS_ACCOUNT__INIT;
	Vapi__VmessAccount vmess = VAPI__VMESS_ACCOUNT__INIT;
	Vapi__TrojanAccount trojan = VAPI__TROJAN_ACCOUNT__INIT;

	switch (al->proto) {
	case PROTO_VLESS:
		*type = fl->vless;
		vless.id = (char *)al->credential;
		vless.flow = (char *)(al->flow != NULL ? al->flow : "");
		return coreapi_pack(&vless.base, out);
	case PROTO_VMESS:
		*type = fl->vmess;
		vmess.id = (char *)al->credential;
		return coreapi_pack(&vmess.base, out);
	case PROTO_TROJAN:
	default:
		*type = fl->trojan;
		trojan.password = (char *)al->credential;
		return coreapi_pack(&trojan.base, out);
	}
}

static enum coreapi_rc
alter_once(
    struct coreapi *api, const struct flavour *fl, const struct alter *al)
{
	Vapi__AlterInboundRequest req = VAPI__ALTER_INBOUND_REQUEST__INIT;
	Vapi__TypedMessage op = VAPI__TYPED_MESSAGE__INIT;
	Vapi__TypedMessage account = VAPI__TYPED_MESSAGE__INIT;
	Vapi__User user = VAPI__USER__INIT;
	Vapi__AddUserOperation add = VAPI__ADD_USER_OPERATION__INIT;
	Vapi__RemoveUserOperation rm = VAPI__REMOVE_USER_OPERATION__INIT;
	uint8_t *accbuf = NULL, *opbuf = NULL, *buf = NULL;
	const char *acctype = NULL;
	size_t rlen;
	size_t n;
	enum coreapi_rc rc;

	if (al->add) {
		n = pack_account(fl, al, &acctype, &accbuf);
		account.type = (char *)acctype;
		account.value.data = accbuf;
		account.value.len = n;
		user.level = al->level;
		user.email = (char *)al->email;
		user.account = &account;
		add.user = &user;
		op.type = (char *)fl->add_op;
		n = coreapi_pack(&add.base, &opbuf);
	} else {
		rm.email = (char *)al->email;
		op.type = (char *)fl->remove_op;
		n = coreapi_pack(&rm.base, &opbuf);
	}
	op.value.data = opbuf;
	op.value.len = n;
	req.tag = (char *)al->tag;
	req.operation = &op;
	n = coreapi_pack(&req.base, &buf);

	rc = coreapi_unary(api, fl->alter_path, buf, n, &rlen);
	free(accbuf);
	free(opbuf);
	free(buf);
	return rc;
}

/* Did the core reject our names rather than the operation itself? */
static int
flavour_mismatch(const struct coreapi *api, enum coreapi_rc rc)
{
	return rc == COREAPI_UNIMPLEMENTED ||
	    (rc == COREAPI_ERROR && api->code == GRPC_STATUS_UNKNOWN &&
		coreapi_names_unknown(api->details));
}

static enum coreapi_rc
alter(struct coreapi *api, const struct alter *al)
{
	enum coreapi_rc rc;
	int other;

	if (al->tag == NULL || *al->tag == '\0')
		return coreapi_local_error(api, "empty inbound tag");
	if (al->email == NULL || *al->email == '\0')
		return coreapi_local_error(api, "empty email");
	if (al->add) {
		if (al->proto != PROTO_VLESS && al->proto != PROTO_VMESS &&
		    al->proto != PROTO_TROJAN)
			return coreapi_local_error(
			    api, "no account type for this protocol");
		if (al->credential == NULL || *al->credential == '\0')
			return coreapi_local_error(api, "empty credential");
	}

	rc = alter_once(api, &flavours[api->flavour], al);
	if (flavour_mismatch(api, rc)) {
		/* nothing was applied: try the other family's names */
		other =
		    api->flavour == FLAVOUR_XRAY ? FLAVOUR_V2FLY : FLAVOUR_XRAY;
		rc = alter_once(api, &flavours[other], al);
		if (!flavour_mismatch(api, rc) && rc != COREAPI_UNAVAILABLE &&
		    rc != COREAPI_DEADLINE) {
			log_info("coreapi: the core speaks the %s "
				 "HandlerService names, not %s",
			    flavours[other].name, flavours[api->flavour].name);
			api->flavour = other;
		}
	}
	return rc;
}

enum coreapi_rc
coreapi_add_user(struct coreapi *api, const char *tag, const char *email,
    enum proto proto, const char *credential, const char *flow,
    unsigned int level)
{
	struct alter al;

	al.tag = tag;
	al.email = email;
	al.add = 1;
	al.proto = proto;
	al.credential = credential;
	al.flow = flow;
	al.level = level;
	return alter(api, &al);
}

enum coreapi_rc
coreapi_remove_user(struct coreapi *api, const char *tag, const char *email)
{
	struct alter al;

	memset(&al, 0, sizeof(al));
	al.tag = tag;
	al.email = email;
	al.add = 0;
	al.proto = PROTO_OTHER;
	return alter(api, &al);
}

enum core_type
coreapi_handler_flavour(const struct coreapi *api)
{
	return flavours[api->flavour].type;
}
