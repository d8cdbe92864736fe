package ui

import (
	"charm.land/huh/v2"
)

// formTheme is huh's base theme in this console's colours, for the
// background the console knows: huh would take a form opened after the
// terminal answered for a light one.
func formTheme(th *Theme) huh.Theme {
	return huh.ThemeFunc(func(bool) *huh.Styles {
		t := huh.ThemeBase(th.Dark)
		t.Focused.Title = t.Focused.Title.Foreground(th.TitleFocused.GetForeground()).Bold(true)
		t.Focused.SelectSelector = t.Focused.SelectSelector.Foreground(th.TitleFocused.GetForeground())
		t.Focused.SelectedOption = t.Focused.SelectedOption.Foreground(th.TitleFocused.GetForeground())
		t.Focused.FocusedButton = t.Focused.FocusedButton.Reverse(true)
		t.Focused.ErrorMessage = t.Focused.ErrorMessage.Foreground(th.Bad.GetForeground())
		t.Focused.ErrorIndicator = t.Focused.ErrorIndicator.Foreground(th.Bad.GetForeground())
		return t
	})
}
