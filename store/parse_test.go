package store

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseWhere(t *testing.T) {
	emp, cli := Employee, ClientUser
	good := []struct {
		expr string
		want UserFilter
	}{
		{`profile=User`, UserFilter{Profile: "User"}},
		{`profile=User,site="North Depot",status=active`, UserFilter{Profile: "User", Site: "North Depot", Statuses: []Status{Active}}},
		{`site="North, Depot"`, UserFilter{Site: "North, Depot"}},
		{`site="A, B",client="C,D"`, UserFilter{Site: "A, B", Client: "C,D"}},
		{`site="=x=",team=Night`, UserFilter{Site: "=x=", Team: "Night"}},
		{` profile = User , site = "North Depot" `, UserFilter{Profile: "User", Site: "North Depot"}},
		{`Profile=Basic,TYPE=client`, UserFilter{Profile: "Basic", Type: &cli}},
		{`type=employee`, UserFilter{Type: &emp}},
		{`status=active|invited`, UserFilter{Statuses: []Status{Active, Invited}}},
		{`status=all`, UserFilter{}},
		{`text=ann`, UserFilter{Text: "ann"}},
		{`name=ann`, UserFilter{Text: "ann"}},
		{`email=a=b`, UserFilter{Text: "a=b"}},
		{`team="North Depot/Night"`, UserFilter{Team: "North Depot/Night"}},
		{`site=North Depot`, UserFilter{Site: "North Depot"}},
	}
	for _, c := range good {
		t.Run(c.expr, func(t *testing.T) {
			got, err := ParseWhere(c.expr)
			if err != nil {
				t.Fatalf("ParseWhere(%q): %v", c.expr, err)
			}
			if got.Profile != c.want.Profile || got.Site != c.want.Site || got.Team != c.want.Team || got.Client != c.want.Client ||
				got.Text != c.want.Text || !slices.Equal(got.Statuses, c.want.Statuses) ||
				(got.Type == nil) != (c.want.Type == nil) || (got.Type != nil && *got.Type != *c.want.Type) {
				t.Errorf("ParseWhere(%q) = %+v, want %+v", c.expr, got, c.want)
			}
		})
	}
	bad := []struct {
		expr  string
		names []string
	}{
		{``, []string{"key=value"}},
		{`   `, []string{"key=value"}},
		{`colour=red`, []string{"colour", "profile"}},
		{`profile`, []string{"profile", "key=value"}},
		{`profile=`, []string{"profile", "value"}},
		{`profile=,site=X`, []string{"profile", "value"}},
		{`site=""`, []string{"site", "value"}},
		{`profile=User,profile=Basic`, []string{"profile", "twice"}},
		{`profile=User,PROFILE=Basic`, []string{"profile", "twice"}},
		{`profile=User,`, []string{"comma"}},
		{`profile=User, `, []string{"comma"}},
		{`site="North Depot",`, []string{"comma"}},
		{`site="North Depot`, []string{"site", "quote"}},
		{`site="North Depot"x`, []string{"comma"}},
		{`profile=User,,site=X`, nil},
		{`status=sleeping`, []string{"sleeping"}},
		{`type=robot`, []string{"robot"}},
		{`=User`, nil},
	}
	for _, c := range bad {
		t.Run("bad "+c.expr, func(t *testing.T) {
			f, err := ParseWhere(c.expr)
			if err == nil {
				t.Fatalf("ParseWhere(%q) = %+v, want an error", c.expr, f)
			}
			checkErr(t, err, ErrInput, c.names...)
		})
	}
}

// A parsed filter selects the users it says.
func TestParseWhereFilters(t *testing.T) {
	f := newFixture(t)
	for expr, want := range map[string][]string{
		`site="North Depot"`:              {emBasic, emClient, emManager, emSupervisor},
		`site="North Depot",type=client`:  {emClient},
		`team=Night`:                      {emBasic},
		`profile=Administrator`:           {emAdmin},
		`client=Acme`:                     {emClient},
		`text=example.com,status=invited`: {emAdmin, emBasic, emManager, emSupervisor, emUser},
		`status=active`:                   nil,
	} {
		w, err := ParseWhere(expr)
		if err != nil {
			t.Fatal(err)
		}
		us, err := f.s.Users(w)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range us {
			got = append(got, u.Email)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", expr, got, want)
		}
	}
	_, err := f.s.Users(UserFilter{Site: "Atlantis"})
	checkErr(t, err, ErrNotFound, "Atlantis")
}

func TestValidateEmail(t *testing.T) {
	good := map[string]string{
		"jane@example.com":                      "jane@example.com",
		"  jane@example.com ":                   "jane@example.com",
		"Jane.Doe+tag@Example.co.uk":            "Jane.Doe+tag@Example.co.uk",
		"o'neil@example.com":                    "o'neil@example.com",
		"a@b.io":                                "a@b.io",
		"first_last@sub.domain.org":             "first_last@sub.domain.org",
		"x@" + strings.Repeat("d", 60) + ".com": "x@" + strings.Repeat("d", 60) + ".com",
	}
	for in, want := range good {
		got, err := ValidateEmail(in)
		if err != nil || got != want {
			t.Errorf("ValidateEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []string{
		"", "   ", "jane", "jane@", "@example.com", "jane@example", "jane@@example.com",
		"jane@.example.com", "jane@example.com.", "jane@example..com", "ja ne@example.com",
		"jane@exa mple.com", "Jane <jane@example.com>", "<jane@example.com>", "jane@\nexample.com",
		"jane\x00@example.com", "jane@example.com, bob@example.com", "\xff@example.com",
		strings.Repeat("a", 250) + "@example.com",
	}
	for _, in := range bad {
		got, err := ValidateEmail(in)
		if err == nil {
			t.Errorf("ValidateEmail(%q) = %q, want an error", in, got)
			continue
		}
		if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "email") {
			t.Errorf("ValidateEmail(%q): %v", in, err)
		}
	}
}

func TestValidateName(t *testing.T) {
	good := map[string]string{
		"Jane":                          "Jane",
		"  Jane  ":                      "Jane",
		"Mary Ann":                      "Mary Ann",
		"O'Brien-Smith":                 "O'Brien-Smith",
		"Zoë":                           "Zoë",
		"李":                             "李",
		strings.Repeat("é", maxNameLen): strings.Repeat("é", maxNameLen),
	}
	for in, want := range good {
		got, err := ValidateName("first", in)
		if err != nil || got != want {
			t.Errorf("ValidateName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                                "required",
		"   ":                             "required",
		"\t\n":                            "required",
		"Ja\x00ne":                        "control",
		"Ja\x1bne":                        "control",
		"Ja\u0085ne":                      "control",
		"\xffJane":                        "valid text",
		strings.Repeat("a", maxNameLen+1): "at most",
	}
	for in, why := range bad {
		got, err := ValidateName("last", in)
		if err == nil {
			t.Errorf("ValidateName(%q) = %q, want an error", in, got)
			continue
		}
		checkErr(t, err, ErrInput, "last name", why)
	}
}

func TestParseHelpers(t *testing.T) {
	for in, want := range map[string]time.Duration{"72h": 72 * time.Hour, "7d": 7 * 24 * time.Hour, "1d12h": 36 * time.Hour, "30m": 30 * time.Minute} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %s, %v", in, got, err)
		}
		if got, _ := ParseDuration(FormatDuration(want)); got != want {
			t.Errorf("FormatDuration(%s) does not read back", want)
		}
	}
	for _, in := range []string{"x", "7x", "d", "1.5d"} {
		if _, err := ParseDuration(in); !errors.Is(err, ErrInput) {
			t.Errorf("ParseDuration(%q): %v", in, err)
		}
	}
	for _, l := range []Level{None, View, Maintain} {
		if got, err := ParseLevel(" " + strings.ToUpper(l.String())); err != nil || got != l {
			t.Errorf("ParseLevel(%s) = %s, %v", l, got, err)
		}
	}
	if _, err := ParseLevel("admin"); !errors.Is(err, ErrInput) {
		t.Error("ParseLevel accepts admin")
	}
	for _, f := range Features() {
		if got, err := ParseFeature(f.String()); err != nil || got != f {
			t.Errorf("ParseFeature(%s) = %s, %v", f, got, err)
		}
	}
}
