/*
 * cvss4.c - CVSS v4.0 scores: macro vectors, the expert-scored lookup table
 * and the interpolation inside a macro vector.
 *
 * Source: FIRST, "Common Vulnerability Scoring System Version 4.0:
 * Specification Document", section 8 ("CVSS v4.0 Scoring") and its
 * equivalence-set tables, with the reference implementation FIRST links to
 * (the cvss-v4-calculator of FIRST / Red Hat Product Security). The facts
 * below - the EQ1..EQ6 rules, the 270 macro-vector scores, the highest
 * severity vectors of each equivalence class and their depths - were read
 * from there; the code is ours.
 *
 * The ideas:
 *  - v4.0 has no closed formula. The six equivalence sets (EQ1..EQ6) sort a
 *    vector into one of 270 "macro vectors", each scored by experts. Within
 *    its macro vector a vector is moved down from that score in proportion
 *    to how far it lies (its "severity distance", counted in metric steps)
 *    from the most severe vectors of the class, relative to the score gap
 *    to the next lower macro vector of each EQ.
 *  - Every metric value is kept as a small integer "level" (0 = most
 *    severe, one step per value), as the reference calculator's 0.0/0.1/0.2
 *    levels are, but without the factor 0.1. Distances, class depths and
 *    table scores (in tenths) are then all integers, so the whole
 *    interpolation is one fraction with denominator 840 * n (840 being the
 *    least common multiple of the class depths) and the final "round half
 *    up to one decimal" is exact. The reference implementations reach the
 *    same answer with doubles plus an epsilon of 1e-6 added before
 *    rounding; doing it in integers needs no epsilon.
 *  - Threat (E) and environmental metrics are applied the way the
 *    specification says, through "effective" values: a modified metric
 *    (MAV ...) replaces its base metric; E, CR, IR, AR default to their
 *    worst case (A, H) when absent or X. A vector carrying them therefore
 *    yields the CVSS-BT/BE/BTE score; a plain base vector the CVSS-B score.
 *    Supplemental metrics (S, AU, R, V, RE, U) never change the score.
 *  - Metrics may come in any order (the specification prescribes one; feeds
 *    do not always keep it), but each at most once.
 */
#include "cvss/cvss_private.h"

#include "error/error.h"

/* Metric table in the specification's order. Base metrics list their values
 * from most to least severe so that the position is the level; optional
 * metrics start with X ("not defined"). */
enum {
	M_AV, M_AC, M_AT, M_PR, M_UI, M_VC, M_VI, M_VA, M_SC, M_SI, M_SA,
	M_E,
	M_CR, M_IR, M_AR,
	M_MAV, M_MAC, M_MAT, M_MPR, M_MUI, M_MVC, M_MVI, M_MVA, M_MSC, M_MSI, M_MSA,
	M_S, M_AU, M_R, M_V, M_RE, M_U,
	M_COUNT
};

static const struct cvss__metric v4_metrics[M_COUNT] = {
	[M_AV] = { "AV", "N A L P", 1 },
	[M_AC] = { "AC", "L H", 1 },
	[M_AT] = { "AT", "N P", 1 },
	[M_PR] = { "PR", "N L H", 1 },
	[M_UI] = { "UI", "N P A", 1 },
	[M_VC] = { "VC", "H L N", 1 },
	[M_VI] = { "VI", "H L N", 1 },
	[M_VA] = { "VA", "H L N", 1 },
	[M_SC] = { "SC", "H L N", 1 },
	[M_SI] = { "SI", "H L N", 1 },
	[M_SA] = { "SA", "H L N", 1 },
	[M_E] = { "E", "X A P U", 0 },
	[M_CR] = { "CR", "X H M L", 0 },
	[M_IR] = { "IR", "X H M L", 0 },
	[M_AR] = { "AR", "X H M L", 0 },
	[M_MAV] = { "MAV", "X N A L P", 0 },
	[M_MAC] = { "MAC", "X L H", 0 },
	[M_MAT] = { "MAT", "X N P", 0 },
	[M_MPR] = { "MPR", "X N L H", 0 },
	[M_MUI] = { "MUI", "X N P A", 0 },
	[M_MVC] = { "MVC", "X H L N", 0 },
	[M_MVI] = { "MVI", "X H L N", 0 },
	[M_MVA] = { "MVA", "X H L N", 0 },
	[M_MSC] = { "MSC", "X H L N", 0 },
	/* Only the modified subsequent integrity/availability know Safety. */
	[M_MSI] = { "MSI", "X S H L N", 0 },
	[M_MSA] = { "MSA", "X S H L N", 0 },
	[M_S] = { "S", "X N P", 0 },
	[M_AU] = { "AU", "X N Y", 0 },
	[M_R] = { "R", "X A U I", 0 },
	[M_V] = { "V", "X D C", 0 },
	[M_RE] = { "RE", "X L M H", 0 },
	[M_U] = { "U", "X Clear Green Amber Red", 0 },
};

/* The effective levels the scoring works on, in the order of the severity
 * distance groups: EQ1 (AV PR UI), EQ2 (AC AT), EQ3+EQ6 (VC VI VA CR IR AR),
 * EQ4 (SC SI SA). Levels: AV N0 A1 L2 P3; PR N0 L1 H2; UI N0 P1 A2; AC L0
 * H1; AT N0 P1; VC/VI/VA H0 L1 N2; CR/IR/AR H0 M1 L2; SC H1 L2 N3 and SI/SA
 * S0 H1 L2 N3 (the subsequent system scale starts one step down, Safety
 * being above High); E A0 P1 U2. */
enum { L_AV, L_PR, L_UI, L_AC, L_AT, L_VC, L_VI, L_VA, L_CR, L_IR, L_AR, L_SC, L_SI, L_SA, L_E, L_COUNT };

/* Scores of the 270 macro vectors in tenths, indexed
 * [EQ1][EQ2][EQ3][EQ4][EQ5][EQ6]; -1 where no macro vector exists (EQ3=2
 * forces EQ6=1). The specification's lookup table ("cvss_lookup"), same
 * numbers. */
static const signed char macro_score[3][2][3][3][3][2] = {
	{ /* EQ1=0 */
		{ /* EQ2=0 */
			{ /* EQ3=0 */
				{ { 100,  99 }, {  98,  95 }, {  95,  92 } }, /* EQ4=0 */
				{ { 100,  96 }, {  93,  87 }, {  91,  81 } }, /* EQ4=1 */
				{ {  93,  90 }, {  89,  80 }, {  81,  68 } }, /* EQ4=2 */
			},
			{ /* EQ3=1 */
				{ {  98,  95 }, {  95,  92 }, {  90,  84 } }, /* EQ4=0 */
				{ {  93,  92 }, {  89,  81 }, {  81,  65 } }, /* EQ4=1 */
				{ {  88,  80 }, {  78,  70 }, {  69,  48 } }, /* EQ4=2 */
			},
			{ /* EQ3=2 */
				{ {  -1,  92 }, {  -1,  82 }, {  -1,  72 } }, /* EQ4=0 */
				{ {  -1,  79 }, {  -1,  69 }, {  -1,  50 } }, /* EQ4=1 */
				{ {  -1,  69 }, {  -1,  55 }, {  -1,  27 } }, /* EQ4=2 */
			},
		},
		{ /* EQ2=1 */
			{ /* EQ3=0 */
				{ {  99,  97 }, {  95,  92 }, {  92,  85 } }, /* EQ4=0 */
				{ {  95,  91 }, {  90,  83 }, {  84,  71 } }, /* EQ4=1 */
				{ {  92,  81 }, {  82,  71 }, {  72,  53 } }, /* EQ4=2 */
			},
			{ /* EQ3=1 */
				{ {  95,  93 }, {  92,  85 }, {  85,  73 } }, /* EQ4=0 */
				{ {  92,  82 }, {  80,  72 }, {  70,  59 } }, /* EQ4=1 */
				{ {  84,  70 }, {  71,  52 }, {  50,  30 } }, /* EQ4=2 */
			},
			{ /* EQ3=2 */
				{ {  -1,  86 }, {  -1,  75 }, {  -1,  52 } }, /* EQ4=0 */
				{ {  -1,  71 }, {  -1,  52 }, {  -1,  29 } }, /* EQ4=1 */
				{ {  -1,  63 }, {  -1,  29 }, {  -1,  17 } }, /* EQ4=2 */
			},
		},
	},
	{ /* EQ1=1 */
		{ /* EQ2=0 */
			{ /* EQ3=0 */
				{ {  98,  95 }, {  94,  87 }, {  91,  81 } }, /* EQ4=0 */
				{ {  94,  89 }, {  86,  74 }, {  77,  64 } }, /* EQ4=1 */
				{ {  87,  75 }, {  74,  63 }, {  63,  49 } }, /* EQ4=2 */
			},
			{ /* EQ3=1 */
				{ {  94,  89 }, {  88,  77 }, {  76,  67 } }, /* EQ4=0 */
				{ {  86,  76 }, {  74,  58 }, {  59,  50 } }, /* EQ4=1 */
				{ {  72,  57 }, {  57,  52 }, {  52,  25 } }, /* EQ4=2 */
			},
			{ /* EQ3=2 */
				{ {  -1,  83 }, {  -1,  70 }, {  -1,  54 } }, /* EQ4=0 */
				{ {  -1,  65 }, {  -1,  58 }, {  -1,  26 } }, /* EQ4=1 */
				{ {  -1,  53 }, {  -1,  21 }, {  -1,  13 } }, /* EQ4=2 */
			},
		},
		{ /* EQ2=1 */
			{ /* EQ3=0 */
				{ {  95,  90 }, {  88,  76 }, {  76,  70 } }, /* EQ4=0 */
				{ {  90,  77 }, {  75,  62 }, {  61,  53 } }, /* EQ4=1 */
				{ {  77,  66 }, {  68,  59 }, {  52,  30 } }, /* EQ4=2 */
			},
			{ /* EQ3=1 */
				{ {  89,  78 }, {  76,  67 }, {  62,  58 } }, /* EQ4=0 */
				{ {  74,  59 }, {  57,  57 }, {  47,  23 } }, /* EQ4=1 */
				{ {  61,  52 }, {  57,  29 }, {  24,  16 } }, /* EQ4=2 */
			},
			{ /* EQ3=2 */
				{ {  -1,  71 }, {  -1,  59 }, {  -1,  30 } }, /* EQ4=0 */
				{ {  -1,  58 }, {  -1,  26 }, {  -1,  15 } }, /* EQ4=1 */
				{ {  -1,  23 }, {  -1,  13 }, {  -1,   6 } }, /* EQ4=2 */
			},
		},
	},
	{ /* EQ1=2 */
		{ /* EQ2=0 */
			{ /* EQ3=0 */
				{ {  93,  87 }, {  86,  72 }, {  75,  58 } }, /* EQ4=0 */
				{ {  86,  74 }, {  74,  61 }, {  56,  34 } }, /* EQ4=1 */
				{ {  70,  54 }, {  52,  40 }, {  40,  22 } }, /* EQ4=2 */
			},
			{ /* EQ3=1 */
				{ {  85,  75 }, {  74,  55 }, {  62,  51 } }, /* EQ4=0 */
				{ {  72,  57 }, {  55,  41 }, {  46,  19 } }, /* EQ4=1 */
				{ {  53,  36 }, {  34,  19 }, {  19,   8 } }, /* EQ4=2 */
			},
			{ /* EQ3=2 */
				{ {  -1,  64 }, {  -1,  51 }, {  -1,  20 } }, /* EQ4=0 */
				{ {  -1,  47 }, {  -1,  21 }, {  -1,  11 } }, /* EQ4=1 */
				{ {  -1,  24 }, {  -1,   9 }, {  -1,   4 } }, /* EQ4=2 */
			},
		},
		{ /* EQ2=1 */
			{ /* EQ3=0 */
				{ {  88,  75 }, {  73,  53 }, {  60,  50 } }, /* EQ4=0 */
				{ {  73,  55 }, {  59,  40 }, {  41,  20 } }, /* EQ4=1 */
				{ {  54,  43 }, {  45,  22 }, {  20,  11 } }, /* EQ4=2 */
			},
			{ /* EQ3=1 */
				{ {  75,  55 }, {  58,  45 }, {  40,  21 } }, /* EQ4=0 */
				{ {  61,  51 }, {  48,  18 }, {  20,   9 } }, /* EQ4=1 */
				{ {  46,  18 }, {  17,   7 }, {   8,   2 } }, /* EQ4=2 */
			},
			{ /* EQ3=2 */
				{ {  -1,  53 }, {  -1,  24 }, {  -1,  14 } }, /* EQ4=0 */
				{ {  -1,  24 }, {  -1,  12 }, {  -1,   5 } }, /* EQ4=1 */
				{ {  -1,  10 }, {  -1,   3 }, {  -1,   1 } }, /* EQ4=2 */
			},
		},
	},
};

static int macro_lookup(const int eq[6])
{
	if (eq[0] > 2 || eq[1] > 1 || eq[2] > 2 || eq[3] > 2 || eq[4] > 2 || eq[5] > 1)
		return -1;
	return macro_score[eq[0]][eq[1]][eq[2]][eq[3]][eq[4]][eq[5]];
}

/*
 * The highest severity vectors of each equivalence class ("max_composed"),
 * as levels of that group's metrics, in the reference order: when several
 * fit, the first one that is at least as severe on every metric is used.
 * (Within a class they all have the same level sum, so which one fits
 * does not change the distance today; the search is kept because it is
 * how the specification defines the distance.)
 */
struct maxes {
	int count;
	signed char v[5][6];
};

static const struct maxes eq1_max[3] = {
	/* AV PR UI */
	{ 1, { { 0, 0, 0 } } },                                /* N N N */
	{ 3, { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } } },      /* A N N; N L N; N N P */
	{ 2, { { 3, 0, 0 }, { 1, 1, 1 } } },                   /* P N N; A L P */
};

static const struct maxes eq2_max[2] = {
	/* AC AT */
	{ 1, { { 0, 0 } } },                                   /* L N */
	{ 2, { { 1, 0 }, { 0, 1 } } },                         /* H N; L P */
};

static const struct maxes eq3eq6_max[3][2] = {
	/* VC VI VA CR IR AR */
	{
		{ 1, { { 0, 0, 0, 0, 0, 0 } } },               /* H H H H H H */
		{ 2, { { 0, 0, 1, 1, 1, 0 },                   /* H H L M M H */
		       { 0, 0, 0, 1, 1, 1 } } },               /* H H H M M M */
	},
	{
		{ 2, { { 1, 0, 0, 0, 0, 0 },                   /* L H H H H H */
		       { 0, 1, 0, 0, 0, 0 } } },               /* H L H H H H */
		{ 5, { { 1, 0, 1, 0, 1, 0 },                   /* L H L H M H */
		       { 1, 0, 0, 0, 1, 1 },                   /* L H H H M M */
		       { 0, 1, 0, 1, 0, 1 },                   /* H L H M H M */
		       { 0, 1, 1, 1, 0, 0 },                   /* H L L M H H */
		       { 1, 1, 0, 0, 0, 1 } } },               /* L L H H H M */
	},
	{
		{ 0, { { 0 } } },                              /* no such class */
		{ 1, { { 1, 1, 1, 0, 0, 0 } } },               /* L L L H H H */
	},
};

static const struct maxes eq4_max[3] = {
	/* SC SI SA */
	{ 1, { { 1, 0, 0 } } },                                /* H S S */
	{ 1, { { 1, 1, 1 } } },                                /* H H H */
	{ 1, { { 2, 2, 2 } } },                                /* L L L */
};

/* Depth of each class in steps ("max_severity"): how far its least severe
 * vector lies from its highest. */
static const int eq1_depth[3] = { 1, 4, 5 };
static const int eq2_depth[2] = { 1, 2 };
static const int eq3eq6_depth[3][2] = { { 7, 6 }, { 8, 8 }, { 0, 10 } };
static const int eq4_depth[3] = { 6, 5, 4 };

/* The least common multiple of all depths: 1, 2, 4, 5, 6, 7, 8, 10. */
#define DEPTH_LCM 840

/* Position of the first max vector of a group that the vector does not
 * exceed in any metric, or -1. lv points at the group's first level. */
static int first_fitting(const struct maxes *m, const int *lv, int width)
{
	int i, k;

	for (i = 0; i < m->count; i++) {
		for (k = 0; k < width; k++)
			if (lv[k] < m->v[i][k])
				break;
		if (k == width)
			return i;
	}
	return -1;
}

static int distance(const signed char *max, const int *lv, int width)
{
	int k, d = 0;

	for (k = 0; k < width; k++)
		d += lv[k] - max[k];
	return d;
}

/* The effective level of a base metric that a modified metric may replace;
 * a modified metric's values are the base values shifted by X. */
static int effective(const signed char *m, int base, int modified)
{
	return m[modified] > 0 ? m[modified] - 1 : m[base];
}

static void effective_levels(int lv[L_COUNT], const signed char *m)
{
	lv[L_AV] = effective(m, M_AV, M_MAV);
	lv[L_PR] = effective(m, M_PR, M_MPR);
	lv[L_UI] = effective(m, M_UI, M_MUI);
	lv[L_AC] = effective(m, M_AC, M_MAC);
	lv[L_AT] = effective(m, M_AT, M_MAT);
	lv[L_VC] = effective(m, M_VC, M_MVC);
	lv[L_VI] = effective(m, M_VI, M_MVI);
	lv[L_VA] = effective(m, M_VA, M_MVA);
	/* Absent or X: the worst case, High / Attacked. */
	lv[L_CR] = m[M_CR] > 0 ? m[M_CR] - 1 : 0;
	lv[L_IR] = m[M_IR] > 0 ? m[M_IR] - 1 : 0;
	lv[L_AR] = m[M_AR] > 0 ? m[M_AR] - 1 : 0;
	lv[L_E] = m[M_E] > 0 ? m[M_E] - 1 : 0;
	/* Subsequent-system levels start at 1 (H); MSC's list has no S, so
	 * its position already is the level, MSI/MSA's S sits at level 0. */
	lv[L_SC] = m[M_MSC] > 0 ? m[M_MSC] : m[M_SC] + 1;
	lv[L_SI] = m[M_MSI] > 0 ? m[M_MSI] - 1 : m[M_SI] + 1;
	lv[L_SA] = m[M_MSA] > 0 ? m[M_MSA] - 1 : m[M_SA] + 1;
}

/* Section 8.1: the six equivalence sets. */
static void macro_vector(int eq[6], const int *lv)
{
	if (lv[L_AV] == 0 && lv[L_PR] == 0 && lv[L_UI] == 0)
		eq[0] = 0;
	else if ((lv[L_AV] == 0 || lv[L_PR] == 0 || lv[L_UI] == 0) && lv[L_AV] != 3)
		eq[0] = 1;
	else
		eq[0] = 2;

	eq[1] = lv[L_AC] == 0 && lv[L_AT] == 0 ? 0 : 1;

	if (lv[L_VC] == 0 && lv[L_VI] == 0)
		eq[2] = 0;
	else if (lv[L_VC] == 0 || lv[L_VI] == 0 || lv[L_VA] == 0)
		eq[2] = 1;
	else
		eq[2] = 2;

	if (lv[L_SI] == 0 || lv[L_SA] == 0)
		eq[3] = 0;
	else if (lv[L_SC] == 1 || lv[L_SI] == 1 || lv[L_SA] == 1)
		eq[3] = 1;
	else
		eq[3] = 2;

	eq[4] = lv[L_E];

	eq[5] = (lv[L_CR] == 0 && lv[L_VC] == 0) || (lv[L_IR] == 0 && lv[L_VI] == 0) ||
			(lv[L_AR] == 0 && lv[L_VA] == 0)
		? 0
		: 1;
}

/* Score of the macro vector one step less severe in some EQ, or -1. */
static int lower_score(const int eq[6], int which)
{
	int next[6], i;

	for (i = 0; i < 6; i++)
		next[i] = eq[i];
	next[which]++;
	return macro_lookup(next);
}

/* EQ3 and EQ6 move together: 00 -> 01 or 10 (the higher-scoring one),
 * 01 -> 11, 10 -> 11, 11 -> 21, 21 -> none. */
static int lower_score_eq3eq6(const int eq[6])
{
	int next[6], i, a, b;

	for (i = 0; i < 6; i++)
		next[i] = eq[i];
	if (eq[2] == 0 && eq[5] == 0) {
		next[5] = 1;
		a = macro_lookup(next);
		next[5] = 0;
		next[2] = 1;
		b = macro_lookup(next);
		return a > b ? a : b;
	}
	if (eq[5] == 0) {
		next[5] = 1;
	} else if (eq[2] < 2) {
		next[2]++;
	} else {
		return -1;
	}
	return macro_lookup(next);
}

static int score_tenths(const signed char *m)
{
	int lv[L_COUNT], eq[6];
	int value, i, n = 0;
	int pick[4];
	const struct maxes *groups[4];
	long long num, den, sum = 0;

	effective_levels(lv, m);

	/* Section 8: no impact on either system scores 0 whatever else. */
	if (lv[L_VC] == 2 && lv[L_VI] == 2 && lv[L_VA] == 2 && lv[L_SC] == 3 && lv[L_SI] == 3 &&
	    lv[L_SA] == 3)
		return 0;

	macro_vector(eq, lv);
	value = macro_lookup(eq);

	groups[0] = &eq1_max[eq[0]];
	groups[1] = &eq2_max[eq[1]];
	groups[2] = &eq3eq6_max[eq[2]][eq[5]];
	groups[3] = &eq4_max[eq[3]];
	pick[0] = first_fitting(groups[0], &lv[L_AV], 3);
	pick[1] = first_fitting(groups[1], &lv[L_AC], 2);
	pick[2] = first_fitting(groups[2], &lv[L_VC], 6);
	pick[3] = first_fitting(groups[3], &lv[L_SC], 3);
	/* The reference tries the max vectors' combinations in order and, when
	 * none fits, keeps the last one tried: each group's last. (Every vector
	 * fits some max vector of its class; this only mirrors the reference.) */
	if (pick[0] < 0 || pick[1] < 0 || pick[2] < 0 || pick[3] < 0)
		for (i = 0; i < 4; i++)
			pick[i] = groups[i]->count - 1;

	/*
	 * For each EQ with a lower macro vector: the available score gap to it
	 * (tenths) times the proportion distance/depth. EQ5 has depth one and a
	 * distance of zero always, so it only counts towards n. All terms are
	 * scaled by DEPTH_LCM to stay integers.
	 */
	{
		const int lower[5] = {
			lower_score(eq, 0), lower_score(eq, 1), lower_score_eq3eq6(eq),
			lower_score(eq, 3), lower_score(eq, 4),
		};
		const int depth[4] = {
			eq1_depth[eq[0]], eq2_depth[eq[1]], eq3eq6_depth[eq[2]][eq[5]], eq4_depth[eq[3]],
		};
		const int dist[4] = {
			distance(groups[0]->v[pick[0]], &lv[L_AV], 3),
			distance(groups[1]->v[pick[1]], &lv[L_AC], 2),
			distance(groups[2]->v[pick[2]], &lv[L_VC], 6),
			distance(groups[3]->v[pick[3]], &lv[L_SC], 3),
		};

		for (i = 0; i < 5; i++) {
			if (lower[i] < 0)
				continue;
			n++;
			if (i < 4)
				sum += (long long)(value - lower[i]) * dist[i] * (DEPTH_LCM / depth[i]);
		}
	}
	if (n == 0)
		return value;

	/* score (tenths) = value - sum / (DEPTH_LCM * n), clamped to [0, 100]
	 * and rounded half up. */
	den = (long long)DEPTH_LCM * n;
	num = (long long)value * den - sum;
	if (num < 0)
		num = 0;
	if (num > 100 * den)
		num = 100 * den;
	return (int)((2 * num + den) / (2 * den));
}

int cvss__v4_score(double *out, const char *s, size_t len)
{
	signed char m[M_COUNT];
	int rc;

	rc = cvss__parse_metrics(m, v4_metrics, M_COUNT, s, len, "4.0");
	if (rc)
		return rc;
	*out = score_tenths(m) / 10.0;
	return ASEC_OK;
}
