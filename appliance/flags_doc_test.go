package appliance_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/mesosbox/mesosbox/appliance"
)

// TestEveryServeFlagIsDocumented checks that each flag of `mesosbox serve`
// has its commented variable in the package's /etc/sysconfig/mesosbox and
// a row in the README's flag table, where admins look for it.
func TestEveryServeFlagIsDocumented(t *testing.T) {
	sysconfig, err := os.ReadFile("../rpm/mesosbox.sysconfig")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	cfg := appliance.DefaultConfig()
	flags := 0
	appliance.NewServeFlags(&cfg).VisitAll(func(f *flag.Flag) {
		flags++
		if env := appliance.EnvName(f.Name); !strings.Contains(string(sysconfig), "\n#"+env+"=") {
			t.Errorf("rpm/mesosbox.sysconfig has no #%s= line", env)
		}
		if !strings.Contains(string(readme), "`--"+f.Name+"`") {
			t.Errorf("README.md's flag table has no `--%s`", f.Name)
		}
	})
	t.Logf("%d serve flags, each in rpm/mesosbox.sysconfig and README.md", flags)
}
