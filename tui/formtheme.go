package tui

import (
	"reflect"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
)

var styleType = reflect.TypeOf(lipgloss.Style{})

// formTheme is huh's base theme with every style bound to this console's
// renderer: huh's own styles use the global renderer, which over SSH would
// query the server's terminal instead of the user's.
func formTheme(th *theme) *huh.Theme {
	t := huh.ThemeBase()
	rebind(reflect.ValueOf(t).Elem(), th.r)
	t.Focused.Title = t.Focused.Title.Foreground(th.titleFocused.GetForeground()).Bold(true)
	t.Focused.SelectSelector = t.Focused.SelectSelector.Foreground(th.titleFocused.GetForeground())
	t.Focused.SelectedOption = t.Focused.SelectedOption.Foreground(th.titleFocused.GetForeground())
	t.Focused.FocusedButton = t.Focused.FocusedButton.Reverse(true)
	t.Focused.ErrorMessage = t.Focused.ErrorMessage.Foreground(th.bad.GetForeground())
	t.Focused.ErrorIndicator = t.Focused.ErrorIndicator.Foreground(th.bad.GetForeground())
	return t
}

// rebind walks a struct and points every lipgloss.Style at r.
func rebind(v reflect.Value, r *lipgloss.Renderer) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == styleType {
			if v.CanSet() {
				v.Set(reflect.ValueOf(v.Interface().(lipgloss.Style).Renderer(r)))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				rebind(f, r)
			}
		}
	}
}
