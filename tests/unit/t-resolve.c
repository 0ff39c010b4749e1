/*
 * t-resolve.c — resolve.c on a real libuv loop: each name looked up
 * once however often it is asked for, at most N lookups at once, a name
 * already known answered at once, the resolver's reason for a name that
 * does not resolve, queued lookups given up.  The only names are
 * localhost (/etc/hosts) and names under .invalid (never resolve); no
 * packet is sent.
 */
#include "config.h"

#include <arpa/inet.h>

#include "snmpfleet.h"
#include "tap.h"

struct answers {
	unsigned	 n;
	unsigned	 ok;
	unsigned	 failed;
	unsigned	 tags;		/* bit per tag heard */
	char		 last_error[256];
	char		 last_addr[64];
};

static void
answer_cb(void *arg, uint64_t tag, const struct sockaddr *addr,
    const char *error)
{
	struct answers	*a = arg;

	a->n++;
	a->tags |= 1u << tag;
	if (addr != NULL) {
		a->ok++;
		if (addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)
			    (const void *)addr)->sin_addr, a->last_addr,
			    sizeof a->last_addr);
		else
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
			    (const void *)addr)->sin6_addr, a->last_addr,
			    sizeof a->last_addr);
	} else {
		a->failed++;
		snprintf(a->last_error, sizeof a->last_error, "%s", error);
	}
}

static void
test_once_and_bounded(void)
{
	struct answers	 a, b;
	struct resolver	*r;
	uv_loop_t	 loop;
	const char	*p;
	unsigned	 i;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	uv_loop_init(&loop);
	r = resolve_new(&loop, AF_INET, 2);
	for (i = 0; i < 5; i++)
		resolve_lookup(r, "localhost", answer_cb, &a, i);
	for (i = 0; i < 3; i++)
		resolve_lookup(r, "no-such-host.invalid", answer_cb, &b, i);
	resolve_lookup(r, "other.invalid", answer_cb, &b, 3);
	is_int(resolve_lookups(r), 2, "two names started, the third waits "
	    "(at most 2 at once)");
	is_int(a.n + b.n, 0, "nothing answered before the loop runs");
	uv_run(&loop, UV_RUN_DEFAULT);
	is_int(resolve_lookups(r), 3, "three names, each looked up once");
	is_int(a.ok, 5, "localhost: all five callers answered");
	is_int(a.tags, 0x1f, "... each with its own tag");
	is_str(a.last_addr, "127.0.0.1", "... -4: localhost is 127.0.0.1");
	is_int(b.failed, 4, "the .invalid names: four failures");
	ok(strncmp(b.last_error, "cannot resolve '", 16) == 0 &&
	    (p = strstr(b.last_error, ".invalid': ")) != NULL &&
	    strlen(p) > 11, "the reason in the resolver's words: %s",
	    b.last_error);
	memset(&a, 0, sizeof a);
	resolve_lookup(r, "localhost", answer_cb, &a, 0);
	is_int(a.ok, 1, "a name already known is answered at once");
	is_int(resolve_lookups(r), 3, "... without another lookup");
	uv_run(&loop, UV_RUN_DEFAULT);	/* nothing in flight, whatever */
	resolve_free(r);
	uv_loop_close(&loop);
}

static void
test_cancel(void)
{
	struct answers	 a;
	struct resolver	*r;
	uv_loop_t	 loop;

	memset(&a, 0, sizeof a);
	uv_loop_init(&loop);
	r = resolve_new(&loop, AF_UNSPEC, 1);
	resolve_lookup(r, "first.invalid", answer_cb, &a, 0);
	resolve_lookup(r, "second.invalid", answer_cb, &a, 1);
	resolve_lookup(r, "third.invalid", answer_cb, &a, 2);
	resolve_cancel_queued(r);
	is_int(a.failed, 2, "the queued names are given up at once");
	ok(strstr(a.last_error, "the run ended first") != NULL,
	    "... saying so: %s", a.last_error);
	uv_run(&loop, UV_RUN_DEFAULT);
	is_int(a.n, 3, "the running one still ends");
	is_int(resolve_lookups(r), 1, "only one was looked up");
	resolve_free(r);
	uv_loop_close(&loop);
}

int
main(void)
{
	test_once_and_bounded();
	test_cancel();
	return tap_done();
}
