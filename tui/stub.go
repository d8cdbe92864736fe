package tui

import tea "github.com/charmbracelet/bubbletea"

// placeholder is a screen not built yet.
type placeholder struct{ title string }

func (p *placeholder) name() string                           { return p.title }
func (p *placeholder) panes() [3]string                       { return [3]string{"", p.title, ""} }
func (p *placeholder) bindings() []*binding                   { return nil }
func (p *placeholder) key(tea.KeyMsg, int) tea.Cmd            { return nil }
func (p *placeholder) render(pane, w, h int, f bool) []string { return []string{"coming soon"} }
func (p *placeholder) header(int) string                      { return p.title }
func (p *placeholder) reload()                                {}
func (p *placeholder) pending() int                           { return 0 }
func (p *placeholder) discard()                               {}
func (p *placeholder) setFilter(string)                       {}
func (p *placeholder) filter() string                         { return "" }
