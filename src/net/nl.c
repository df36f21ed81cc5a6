/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The rtnetlink socket: opening it (here or in another network namespace), sending a request and
 * reading the kernel's answer, with the extended-ack text as the error when the kernel gives one.
 * The link, address and route files build messages; this one only carries them.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/nl.h"
#include "util/cleanup.h"

/* What libmnl recommends for dumps: the kernel sizes its dump messages to the reader's buffer. */
#define RECV_SIZE 32768
/* A dump that changed under us (NLM_F_DUMP_INTR) is read again, this often. */
#define DUMP_TRIES 3

int nk_nl_open(nk_nl *nl, nk_err **err)
{
	*nl = (nk_nl){0};
	struct mnl_socket *sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!sock)
		return nk_err_sys(err, "open rtnetlink socket");
	if (mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int r = nk_err_sys(err, "bind rtnetlink socket");
		mnl_socket_close(sock);
		return r;
	}
	/*
	 * Extended acks carry the kernel's own words ("Unknown device type"); capped acks keep our
	 * request out of the error reply. Both are best effort: a kernel without them (< 4.12)
	 * still answers with a plain errno.
	 */
	int one = 1;
	(void)mnl_socket_setsockopt(sock, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)mnl_socket_setsockopt(sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->sock = sock;
	nl->portid = mnl_socket_get_portid(sock);
	nl->seq = (unsigned)time(NULL);
	return 0;
}

/*
 * A netlink socket stays bound to the namespace it was created in, so entering the target
 * namespace just for socket() is enough. /proc/thread-self, not /proc/self: setns() moves only
 * the calling thread, and /proc/self names the main thread's namespace, which may differ.
 */
int nk_nl_open_netns(nk_nl *nl, int netns_fd, nk_err **err)
{
	*nl = (nk_nl){0}; /* nk_nl_close is safe after a failure, as after nk_nl_open's */
	_cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return nk_err_sys(err, "open /proc/thread-self/ns/net");
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return nk_err_sys(err, "enter network namespace");
	int r = nk_nl_open(nl, err);
	/*
	 * Failing to come back leaves this thread in the container's namespace: every socket it
	 * opened next would configure, listen or connect there, silently. There is no safe way on.
	 */
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	return r < 0 ? nk_err_wrap(err, r, "in network namespace") : 0;
}

void nk_nl_close(nk_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

struct nlmsghdr *nk_nl_msg(void *buf, uint16_t type, uint16_t flags)
{
	memset(buf, 0, NK_NL_REQ_SIZE);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	return nlh;
}

/* ---- reading the answer ----------------------------------------------------------------- */

struct reply {
	nk_nl_reply_fn cb;
	void *data;
	int cb_error; /* first error of cb: the rest of the answer is still read, then dropped */
	int error;    /* the kernel's -errno from NLMSG_ERROR or NLMSG_DONE */
	bool done;
	bool intr;     /* NLM_F_DUMP_INTR: the dump may be inconsistent */
	char ext[256]; /* NLMSGERR_ATTR_MSG */
};

static int extack_attr(const struct nlattr *a, void *data)
{
	struct reply *rep = data;
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		snprintf(rep->ext, sizeof(rep->ext), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* The ack TLVs start off bytes into the payload of an NLMSG_ERROR or NLMSG_DONE. */
static void read_extack(const struct nlmsghdr *nlh, size_t off, struct reply *rep)
{
	off = MNL_ALIGN(off);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && off <= mnl_nlmsg_get_payload_len(nlh))
		mnl_attr_parse(nlh, (unsigned)off, extack_attr, rep);
}

static void read_error(const struct nlmsghdr *nlh, struct reply *rep)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		rep->error = -EBADMSG;
		return;
	}
	rep->error = e->error > 0 ? -e->error : e->error;
	size_t off = sizeof(*e);
	/* Uncapped, the kernel echoes our request (its payload) before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= sizeof(struct nlmsghdr))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (rep->error)
		read_extack(nlh, off, rep);
}

static void read_done(const struct nlmsghdr *nlh, struct reply *rep)
{
	int e = 0;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(e))
		memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
	rep->error = e > 0 ? -e : e;
	if (rep->error)
		read_extack(nlh, sizeof(e), rep);
}

/*
 * One datagram's messages. Replies to other sequence numbers are leftovers of an abandoned
 * request on this socket and are skipped.
 */
static void read_messages(const nk_nl *nl, const void *buf, int len, unsigned seq,
                          struct reply *rep)
{
	for (const struct nlmsghdr *nlh = buf; !rep->done && mnl_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_seq != seq || !mnl_nlmsg_portid_ok(nlh, nl->portid))
			continue;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			rep->intr = true;
		if (nlh->nlmsg_type == NLMSG_ERROR)
			read_error(nlh, rep);
		else if (nlh->nlmsg_type == NLMSG_DONE)
			read_done(nlh, rep);
		else if (nlh->nlmsg_type == NLMSG_OVERRUN)
			rep->error = -ENOBUFS;
		else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE && rep->cb && !rep->cb_error)
			rep->cb_error = rep->cb(nlh, rep->data);
		rep->done = nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE ||
		            nlh->nlmsg_type == NLMSG_OVERRUN;
	}
}

/*
 * Only the kernel (port 0) may answer: on NETLINK_ROUTE another root process could send to our
 * port, and its messages must not pass for the kernel's.
 */
static ssize_t recv_from_kernel(const nk_nl *nl, void *buf, size_t size)
{
	for (;;) {
		struct sockaddr_nl addr = {0};
		struct iovec iov = {.iov_base = buf, .iov_len = size};
		struct msghdr msg = {.msg_name = &addr,
		                     .msg_namelen = sizeof(addr),
		                     .msg_iov = &iov,
		                     .msg_iovlen = 1};
		ssize_t n = recvmsg(mnl_socket_get_fd(nl->sock), &msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (msg.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		if (msg.msg_namelen == sizeof(addr) && addr.nl_pid == 0)
			return n;
	}
}

/* Sends nlh under a new sequence number and reads the answer into rep; -errno on I/O failure. */
static int roundtrip(nk_nl *nl, struct nlmsghdr *nlh, struct reply *rep)
{
	nlh->nlmsg_seq = ++nl->seq;
	ssize_t n = mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len);
	if (n < 0)
		return -errno;
	if ((size_t)n != nlh->nlmsg_len)
		return -EMSGSIZE;
	_cleanup_free_ char *buf = malloc(RECV_SIZE);
	if (!buf)
		return -ENOMEM;
	while (!rep->done) {
		n = recv_from_kernel(nl, buf, RECV_SIZE);
		if (n < 0)
			return (int)n;
		read_messages(nl, buf, (int)n, nlh->nlmsg_seq, rep);
	}
	return 0;
}

/* "WHAT: ext-ack text" (errnum 0: the kernel's words say it all), else "WHAT" with errnum. */
static int fail(nk_err **err, int errnum, const char *ext, const char *fmt, va_list ap)
{
	_cleanup_free_ char *what = NULL;
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	if (ext && *ext) {
		nk_err_set(err, 0, "%s: %s", what ? what : "netlink", ext);
		return -errnum;
	}
	return nk_err_set(err, errnum, "%s", what ? what : "netlink");
}

static int call(nk_nl *nl, struct nlmsghdr *nlh, nk_nl_reply_fn cb, void *data, nk_err **err,
                const char *fmt, va_list ap)
{
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	for (int try = 1;; try++) {
		struct reply rep = {.cb = cb, .data = data};
		if (try > 1 && cb)
			cb(NULL, data);
		int r = roundtrip(nl, nlh, &rep);
		if (r < 0)
			return fail(err, -r, NULL, fmt, ap);
		if (dump && try < DUMP_TRIES && (rep.intr || rep.error == -EINTR))
			continue;
		if (rep.error)
			return fail(err, -rep.error, rep.ext, fmt, ap);
		if (rep.intr)
			return fail(err, EAGAIN,
			            "the kernel's tables kept changing during the dump", fmt, ap);
		if (rep.cb_error)
			return fail(err, -rep.cb_error, NULL, fmt, ap);
		return 0;
	}
}

int nk_nl_request(nk_nl *nl, struct nlmsghdr *nlh, nk_err **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = call(nl, nlh, NULL, NULL, err, fmt, ap);
	va_end(ap);
	return r;
}

int nk_nl_query(nk_nl *nl, struct nlmsghdr *nlh, nk_nl_reply_fn cb, void *data, nk_err **err,
                const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = call(nl, nlh, cb, data, err, fmt, ap);
	va_end(ap);
	return r;
}

/* ---- attributes and result arrays --------------------------------------------------------- */

struct attr_table {
	const struct nlattr **tb;
	unsigned max;
};

static int collect_attr(const struct nlattr *a, void *data)
{
	struct attr_table *t = data;
	unsigned type = mnl_attr_get_type(a);
	if (type <= t->max)
		t->tb[type] = a;
	return MNL_CB_OK;
}

void nk_nl_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb, unsigned max)
{
	struct attr_table t = {tb, max};
	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (MNL_ALIGN(hdrlen) <= mnl_nlmsg_get_payload_len(nlh))
		mnl_attr_parse(nlh, (unsigned)MNL_ALIGN(hdrlen), collect_attr, &t);
}

void nk_nl_nested(const struct nlattr *nest, const struct nlattr **tb, unsigned max)
{
	struct attr_table t = {tb, max};
	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_parse_nested(nest, collect_attr, &t);
}

void *nk_nl_vec_push(nk_nl_vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void *items = reallocarray(v->items, cap, v->size);
		if (!items)
			return NULL;
		v->items = items;
		v->cap = cap;
	}
	void *item = (char *)v->items + v->n++ * v->size;
	memset(item, 0, v->size);
	return item;
}

uint32_t nk_nl_u32(const struct nlattr *a)
{
	return a && mnl_attr_validate(a, MNL_TYPE_U32) == 0 ? mnl_attr_get_u32(a) : 0;
}

void nk_nl_str(const struct nlattr *a, char *buf, size_t size)
{
	size_t len = a ? mnl_attr_get_payload_len(a) : 0;
	/* Kernel strings carry their NUL, but a payload is not trusted to. */
	len = strnlen(a ? mnl_attr_get_payload(a) : "", len);
	if (len >= size)
		len = size - 1;
	if (len)
		memcpy(buf, mnl_attr_get_payload(a), len);
	buf[len] = '\0';
}

bool nk_nl_bytes(const struct nlattr *a, void *dst, size_t len)
{
	if (!a || mnl_attr_get_payload_len(a) != len)
		return false;
	memcpy(dst, mnl_attr_get_payload(a), len);
	return true;
}
