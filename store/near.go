package store

import (
	"slices"
	"strings"
)

// Did you mean: a name that matched no record is answered with the existing
// names closest to it — one that starts with what was typed, or a few edits
// away from it (more for longer names) — at most three, closest first.

const maxNear = 3

// near picks the names closest to given.
func near(given string, names []string) []string {
	g := lower(strings.TrimSpace(given))
	if g == "" {
		return nil
	}
	limit := 1
	switch n := len([]rune(g)); {
	case n > 8:
		limit = 3
	case n > 4:
		limit = 2
	}
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, n := range names {
		ln := lower(n)
		d := editDistance(g, ln, limit)
		if strings.HasPrefix(ln, g) && d > limit {
			d = limit // a prefix is near, however short
		}
		if d <= limit {
			cs = append(cs, cand{n, d})
		}
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if a.d != b.d {
			return a.d - b.d
		}
		return strings.Compare(lower(a.name), lower(b.name))
	})
	out := make([]string, 0, min(len(cs), maxNear))
	for i := 0; i < len(cs) && i < maxNear; i++ {
		out = append(out, cs[i].name)
	}
	return out
}

// editDistance is the optimal string alignment distance (Levenshtein with
// adjacent transpositions) between a and b, or limit+1 once it must exceed
// limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// notFoundNear is the error for a name of kind k that matched none of names.
func notFoundNear(k RecordKind, what, given string, names []string) error {
	err := notFound("no %s named %q", what, strings.TrimSpace(given))
	e := err.(*Error)
	e.Fix, e.Near = fixList(k), near(given, names)
	return e
}

// NearFor leaves in err only the suggestions the actor may see: names of
// records of a kind they may list (profiles with view on Users &
// permissions, clients with view on Clients, sites and teams with view on
// Sites & teams). A suggestion must not tell what the actor could not look up.
func (s *Store) NearFor(a Actor, err error) error {
	e, ok := StoreError(err)
	if !ok || len(e.Near) == 0 || a.local {
		return err
	}
	screen := ""
	switch e.Fix.Kind {
	case RecordProfile:
		screen = "users"
	case RecordClient:
		screen = "clients"
	case RecordSite, RecordTeam:
		screen = "sites"
	case RecordScreen:
		return err // screen keys are how anyone asks a check
	default:
		e.Near = nil
		return err
	}
	if s.CanView(a, screen) != nil {
		e.Near = nil
	}
	return err
}
