/*
 * window.c — how many requests may be in flight: one congestion window,
 * for the run (per worker) or for one agent address.  Pure arithmetic on
 * round-trip samples and loss signals; no I/O, no clock of its own.
 *
 * What it is based on:
 * - slow start and additive increase / multiplicative decrease, with one
 *   decrease per window of data, from TCP (RFC 5681 sections 3.1 and
 *   3.2; Jacobson 1988); the initial window of 10 from RFC 6928; past
 *   100, slow start slows to 1.5 times a round (half an answer's worth
 *   per answer, in the spirit of RFC 3742's Limited Slow Start and RFC
 *   9406's conservative slow start): one round's burst stays a third of
 *   what is in flight, so an agent's queue shows in the delay before it
 *   overflows.  (RFC 3742's fixed 50 a round took 80 rounds from 100 to
 *   4,096: 1.6 s of a 20 ms fleet, longer than the polling itself);
 * - growth only while the window is used (RFC 7661, "cwnd validation"):
 *   a window half empty for want of targets does not grow;
 * - Karn's rule (RFC 6298): a request that was retransmitted gives no
 *   RTT sample and no growth;
 * - delay as the early signal, from TCP Vegas (Brakmo & Peterson, "TCP
 *   Vegas: new techniques for congestion detection and avoidance",
 *   SIGCOMM 1994) and HyStart++ (RFC 9406): the least RTT of a round is
 *   compared with the least of the recent rounds (a windowed minimum, as
 *   BBR keeps min_rtt); when queueing at the agent has inflated it past
 *   twice the base (and past the base plus WINDOW_SLACK_NS, 2 ms, so that
 *   scheduling noise on a busy host is not mistaken for a queue; more
 *   where the rounds' least RTT itself jitters: 4 of its mean
 *   deviations, as RFC 6298 pads the RTO), slow
 *   start ends and the window shrinks by WINDOW_DELAY_BETA;
 * - a standing queue hides itself from a windowed minimum: when every
 *   recent round waited in the agent's queue, their least RTT is the
 *   queue, the base drifts up with it and the window with the base, until
 *   the agent's socket overflows.  BBR (Cardwell et al., "BBR:
 *   congestion-based congestion control", ACM Queue 2016) drains the
 *   queue now and then (ProbeRTT: 4 packets in flight for a moment) to
 *   see the path's RTT again.  Here the drain happens when it is needed:
 *   when the base has risen past the least RTT known to be no queue
 *   (ref) by the delay threshold, the window is held at WINDOW_DRAIN
 *   (its floor, if higher) for one small round; that round's least RTT
 *   becomes the base and the ref (if the agents really got slower, the
 *   new ref says so and the next drain waits for a new rise).
 * - past slow start, growth is one a round (RFC 5681) while the round
 *   trips show some queue, but an eighth a round after
 *   WINDOW_QUIET_ROUNDS rounds with none at all (least RTT within a
 *   quarter of the delay threshold of the ref), as TCP Vegas grows while
 *   its queue estimate is under alpha and CUBIC grows fast far from its
 *   last decrease: a fleet whose slow agents hold many requests in
 *   flight needs a wide window, and one a round took 900 rounds from
 *   100 to 1,000.
 * A round is as many answers as the window was wide when it began.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "snmpfleet.h"

#define WINDOW_LOSS_BETA	0.5	/* RFC 5681: half on loss */
#define WINDOW_DELAY_BETA	0.8	/* gentler on a queue (Vegas-like) */
#define WINDOW_SLACK_NS		2000000u	/* 2 ms */
#define WINDOW_SAMPLES		8	/* RFC 9406's N_RTT_SAMPLE */
#define WINDOW_NOISE_K		4	/* slack: 4 deviations of the rounds'
					 * least RTT (RFC 6298's K) */
#define WINDOW_MAX_SSTHRESH	100	/* past it, slow start grows 1.5
					 * times a round, not 2 */
#define WINDOW_DRAIN		4	/* BBR's ProbeRTT window */
#define WINDOW_QUIET_ROUNDS	4	/* rounds with no queue at all ... */
#define WINDOW_QUIET_GAIN	0.125	/* ... then an eighth more a round */
#define WINDOW_DRAIN_WAIT	UINT_MAX /* drain_skip: old requests are
					 * still more than the drain window */

/* Start w: adapt from WINDOW_INITIAL between floor and ceiling, or
 * fixed at ceiling. */
void
window_init(struct window *w, unsigned floor, unsigned ceiling, bool adapt)
{
	memset(w, 0, sizeof *w);
	w->ceiling = ceiling ? ceiling : 1;
	w->floor = floor < 1 ? 1 : floor > w->ceiling ? w->ceiling : floor;
	w->adapt = adapt;
	w->cwnd = adapt ? WINDOW_INITIAL : w->ceiling;
	if (w->cwnd > w->ceiling)
		w->cwnd = w->ceiling;
	w->ssthresh = w->ceiling;
	w->round_left = (unsigned)w->cwnd;
}

/* The window while draining: WINDOW_DRAIN, or the floor if higher. */
static unsigned
window_drain_size(const struct window *w)
{
	return w->floor > WINDOW_DRAIN ? w->floor : WINDOW_DRAIN;
}

/* Requests that may be in flight now (at least 1). */
unsigned
window_limit(const struct window *w)
{
	unsigned	n = (unsigned)w->cwnd;

	if (w->draining && n > window_drain_size(w))
		n = window_drain_size(w);
	return n < 1 ? 1 : n;
}

/* The least RTT of the recent rounds, or 0 before the first round. */
uint64_t
window_base(const struct window *w)
{
	uint64_t	base = 0;
	unsigned	i;

	for (i = 0; i < w->nmins; i++) {
		if (base == 0 || w->mins[i] < base)
			base = w->mins[i];
	}
	return base;
}

/* How long the last round's quickest answer waited in a queue: its RTT
 * above the least known to be no queue (ref); 0 before it is known. */
uint64_t
window_queue(const struct window *w)
{
	uint64_t	last;

	if (w->nmins == 0 || w->ref == 0)
		return 0;
	last = w->mins[(w->mpos + WINDOW_HISTORY - 1) % WINDOW_HISTORY];
	return last > w->ref ? last - w->ref : 0;
}

static void
window_shrink(struct window *w, double beta)
{
	w->cwnd *= beta;
	if (w->cwnd < w->floor)
		w->cwnd = w->floor;
	w->ssthresh = w->cwnd;
	w->decreased_round = w->round;
	w->decreases++;
}

/* How far above base an RTT says "queue": base itself, 2 ms at least,
 * and 4 mean deviations of the rounds' least on a noisy host. */
static uint64_t
window_slack(const struct window *w, uint64_t base)
{
	uint64_t	slack;

	slack = base > WINDOW_SLACK_NS ? base : WINDOW_SLACK_NS;
	if (slack < WINDOW_NOISE_K * w->min_dev)	/* a noisy host */
		slack = WINDOW_NOISE_K * w->min_dev;
	return slack;
}

/* Is the agent queueing: is the least RTT of this round so far (of
 * WINDOW_SAMPLES at least, as HyStart++ takes) past the threshold?
 * Then shrink, once a round. */
static void
window_check_delay(struct window *w)
{
	uint64_t	base = window_base(w);

	if (base != 0 && w->round_samples >= WINDOW_SAMPLES &&
	    w->round_min > base + window_slack(w, base) &&
	    w->decreased_round != w->round)
		window_shrink(w, WINDOW_DELAY_BETA);
}

/* min joins the recent rounds' least RTTs; a new round begins. */
static void
window_next_round(struct window *w, uint64_t min)
{
	uint64_t	prev, dev;

	if (w->nmins != 0) {	/* RFC 6298's RTTVAR, of the rounds' least */
		prev = w->mins[(w->mpos + WINDOW_HISTORY - 1) % WINDOW_HISTORY];
		dev = min > prev ? min - prev : prev - min;
		w->min_dev = (3 * w->min_dev + dev) / 4;
	}
	w->mins[w->mpos] = min;
	w->mpos = (w->mpos + 1) % WINDOW_HISTORY;
	if (w->nmins < WINDOW_HISTORY)
		w->nmins++;
	w->round++;
	w->round_min = 0;
	w->round_samples = 0;
	w->round_left = window_limit(w);
}

/* Has the base drifted up from the ref by as much as a queue makes the
 * delay check act on, with no drain for WINDOW_HISTORY rounds?  Then
 * drain (see the top of this file). */
static void
window_maybe_drain(struct window *w)
{
	if (w->ref == 0 || w->nmins < WINDOW_HISTORY ||
	    w->round - w->drained_round < WINDOW_HISTORY ||
	    w->cwnd <= window_drain_size(w) ||
	    window_base(w) <= w->ref + window_slack(w, w->ref))
		return;
	w->draining = true;
	w->drained_round = w->round;
	w->drain_skip = WINDOW_DRAIN_WAIT;
	w->drain_left = window_drain_size(w);
	w->drain_min = 0;
	w->drains++;
}

/* The drain is over: its least RTT (if it had any) is the ref and the
 * newest round's least; the window is what it was. */
static void
window_drain_end(struct window *w)
{
	w->draining = false;
	if (w->drain_min != 0) {
		w->ref = w->drain_min;
		window_next_round(w, w->drain_min);
	} else
		w->round_left = window_limit(w);
}

/* End the drain unmeasured: a loss says nothing of the RTT, and a
 * request presumed lost is one the drain would wait for in vain. */
static void
window_drain_abort(struct window *w)
{
	if (w->draining) {
		w->drain_min = 0;
		window_drain_end(w);
	}
}

/* An answer while draining (inflight: as window_ack's): wait for the
 * requests sent before the drain to come back, then take the least RTT
 * of a drain window's answers.  (A loss, or a request presumed lost,
 * ends it unmeasured: the drain must not wait for what never comes.) */
static void
window_drain_step(struct window *w, uint64_t sample, unsigned inflight)
{
	if (w->drain_skip == WINDOW_DRAIN_WAIT) {
		if (inflight > window_drain_size(w))
			return;
		w->drain_skip = inflight > 0 ? inflight - 1 : 0;
		return;	/* (this one was sent before it too) */
	}
	if (w->drain_skip > 0) {
		w->drain_skip--;
		return;
	}
	if (w->drain_min == 0 || sample < w->drain_min)
		w->drain_min = sample;
	if (--w->drain_left == 0)
		window_drain_end(w);
}

/* A round ended: its least RTT joins the recent ones. */
static void
window_round_end(struct window *w)
{
	window_check_delay(w);
	/* quiet: no queue even against the least RTT known to be none (a
	 * standing queue drifts the base up, not the ref) */
	if (w->decreased_round != w->round && w->ref != 0 &&
	    w->round_min <= w->ref + window_slack(w, w->ref) / 4)
		w->quiet_rounds++;
	else
		w->quiet_rounds = 0;
	if (w->ref == 0 || w->round_min < w->ref)
		w->ref = w->round_min;
	window_next_round(w, w->round_min);
	window_maybe_drain(w);
}

/*
 * An answer to a request sent once came after rtt_ns, with inflight
 * requests (this one included) in flight under w.  Grows the window:
 * by one per answer in slow start, by one per round after.
 */
void
window_ack(struct window *w, uint64_t rtt_ns, unsigned inflight)
{
	if (!w->adapt)
		return;
	if (rtt_ns == 0)
		rtt_ns = 1;
	if (w->draining) {
		window_drain_step(w, rtt_ns, inflight);
		return;
	}
	if (w->round_min == 0 || rtt_ns < w->round_min)
		w->round_min = rtt_ns;
	w->round_samples++;
	/* a queue is acted on within the round (as HyStart++ does), once a
	 * quarter of it has come: the first answers of a round may all be
	 * from slow agents (a burst of the ones sent together 50 ms ago),
	 * which is no queue */
	if (w->round_samples >= (w->round_samples + w->round_left) / 4)
		window_check_delay(w);
	if (2 * inflight >= window_limit(w)) {	/* RFC 7661: in use */
		if (w->cwnd < w->ssthresh && w->cwnd <= WINDOW_MAX_SSTHRESH)
			w->cwnd += 1;
		else if (w->cwnd < w->ssthresh)	/* see the top */
			w->cwnd += 0.5;
		else if (w->quiet_rounds >= WINDOW_QUIET_ROUNDS)
			w->cwnd += WINDOW_QUIET_GAIN;	/* see the top */
		else
			w->cwnd += 1 / w->cwnd;
		if (w->cwnd > w->ceiling)
			w->cwnd = w->ceiling;
	}
	if (w->round_left > 0)
		w->round_left--;
	if (w->round_left == 0)
		window_round_end(w);
}

/* A request was lost (answered only on a retry, or a timeout of an
 * agent that answers): halve the window, once a round. */
void
window_loss(struct window *w)
{
	if (!w->adapt)
		return;
	window_drain_abort(w);
	w->losses++;
	if (w->decreased_round == w->round && w->decreases != 0)
		return;
	window_shrink(w, WINDOW_LOSS_BETA);
}

/*
 * A request to an address that has never answered was presumed lost: a
 * silent address takes no load, so it says nothing of what the path or
 * the agents can bear.  Until the first sign of trouble (a loss or a
 * decrease), it lets the window grow by one, as an answer would in slow
 * start: a run that begins with a block of unused addresses (a /16 of
 * mostly nothing) opens its window as fast as one of live hosts instead
 * of crawling at the initial window.
 */
void
window_probe(struct window *w)
{
	window_drain_abort(w);
	if (!w->adapt || w->losses != 0 || w->decreases != 0 ||
	    w->cwnd >= w->ssthresh)
		return;
	w->cwnd += 1;
	if (w->cwnd > w->ceiling)
		w->cwnd = w->ceiling;
}
