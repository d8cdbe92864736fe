package tui

import (
	"fmt"
	"testing"
)

func TestUsersScreenGolden(t *testing.T) {
	s := newTestStore(t, 60)
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			app := newTestApp(t, s, nil, sz.w, sz.h)
			v := app.View()
			checkFits(t, v, sz.w, sz.h)
			golden(t, fmt.Sprintf("users_%dx%d", sz.w, sz.h), v)
		})
	}
}
