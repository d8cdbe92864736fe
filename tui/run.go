package tui

import (
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/gatehouse/gatehouse/store"
)

// Run opens the console in this terminal until the operator quits.
func Run(s *store.Store, actor store.Actor, opts Options) error {
	r := lipgloss.NewRenderer(os.Stdout)
	if os.Getenv("NO_COLOR") != "" {
		r.SetColorProfile(termenv.Ascii)
	}
	a := New(s, actor, r, opts)
	defer a.Close()
	if opts.Ready != nil {
		opts.Ready()
	}
	_, err := tea.NewProgram(a, tea.WithAltScreen(), tea.WithMouseCellMotion()).Run()
	return err
}
