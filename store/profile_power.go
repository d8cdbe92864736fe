package store

import (
	"cmp"
	"slices"
)

// SortByPower orders profiles least powerful first, as a form that offers
// them should (never Administrator at the top): assigned sites before all
// sites, client-restricted before unrestricted, then by the sum of their
// levels, then by name.
func SortByPower(ps []*Profile) {
	power := func(p *Profile) (wide, open, sum int) {
		if p.Scope == ScopeAll {
			wide = 1
		}
		if !p.ClientRestricted {
			open = 1
		}
		for _, l := range p.Levels {
			sum += int(l)
		}
		return
	}
	slices.SortStableFunc(ps, func(a, b *Profile) int {
		aw, ao, as := power(a)
		bw, bo, bs := power(b)
		return cmp.Or(cmp.Compare(aw, bw), cmp.Compare(ao, bo), cmp.Compare(as, bs), cmp.Compare(a.Name, b.Name))
	})
}
