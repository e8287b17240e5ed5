package app

import "testing"

const testUUID = "b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6"

func TestNewTaskID(t *testing.T) {
	cases := []struct{ app, want string }{
		{"/web", "web.instance-" + testUUID + "._app.1"},
		{"/prod/frontend/web", "prod_frontend_web.instance-" + testUUID + "._app.1"},
		{"/my.dotted.app", "my.dotted.app.instance-" + testUUID + "._app.1"},
		{"/g.x/a-b", "g.x_a-b.instance-" + testUUID + "._app.1"},
	}
	for _, c := range cases {
		id := NewTaskID(c.app, testUUID)
		if id != c.want {
			t.Errorf("NewTaskID(%q) = %q, want %q", c.app, id, c.want)
		}
		app, ok := ParseTaskID(id)
		if !ok || app != c.app {
			t.Errorf("ParseTaskID(%q) = %q %v, want %q", id, app, ok, c.app)
		}
	}
}

func TestParseTaskID(t *testing.T) {
	cases := []struct {
		id, app string
		ok      bool
	}{
		// Marathon 1.9+
		{"myGroup_myApp.instance-" + testUUID + "._app.1", "/myGroup/myApp", true},
		{"myGroup_myApp.instance-" + testUUID + "._app.42", "/myGroup/myApp", true},
		{"myGroup_myApp.marathon-" + testUUID + "._app.3", "/myGroup/myApp", true},
		{"pod.instance-" + testUUID + ".web.2", "/pod", true},
		// Marathon 1.4 to 1.8
		{"myGroup_myApp.instance-" + testUUID + ".$anon", "/myGroup/myApp", true},
		{"myGroup_myApp.marathon-" + testUUID + ".$anon.3", "/myGroup/myApp", true},
		{"myGroup_myApp.instance-" + testUUID + ".rails", "/myGroup/myApp", true},
		// before instances: app.uuid and app_uuid, resident with an attempt
		{"myGroup_myApp." + testUUID, "/myGroup/myApp", true},
		{"myApp_" + testUUID, "/myApp", true},
		{"myGroup_myApp." + testUUID + ".42", "/myGroup/myApp", true},
		{"dotted.app." + testUUID, "/dotted.app", true},
		{"failedtask." + testUUID, "/failedtask", true},
		// upper-case and short (lenient) UUIDs, as java.util.UUID accepts
		{"app." + "B6FF5FA5-7714-11E7-A55C-5ECF1C4671F6", "/app", true},
		{"app.1-2-3-4-5", "/app", true},
		// an app whose name looks like an instance prefix
		{"foo.instance-bar." + testUUID, "/foo.instance-bar", true},
		// not task ids
		{"", "", false},
		{"app", "", false},
		{"app.not-a-uuid", "", false},
		{"app." + testUUID + "0000000", "", false},
		{"." + testUUID, "", false},
		{"a__b." + testUUID, "", false},
		{"_a." + testUUID, "", false},
		{"instance-" + testUUID + "._app.1", "", false},
	}
	for _, c := range cases {
		app, ok := ParseTaskID(c.id)
		if ok != c.ok || app != c.app {
			t.Errorf("ParseTaskID(%q) = %q %v, want %q %v", c.id, app, ok, c.app, c.ok)
		}
	}
}
