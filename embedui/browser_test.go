package embedui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium is Debian's Chromium (apt-get install -y chromium).
const chromium = "/usr/bin/chromium"

// screenshotsEnv names a directory that also receives each test's
// screenshot: `make screenshots` sets it to embedui/screenshots.
const screenshotsEnv = "MESOSBOX_SCREENSHOTS"

// browser is one headless Chromium with a fresh profile, driven through
// chromedp. It records every console error and uncaught exception of the
// page, and the test fails on any of them.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	problems []string
}

func newBrowser(t *testing.T, dark bool) *browser {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("the UI tests need Chromium at %s (apt-get install -y chromium): %v", chromium, err)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx}
	if err := chromedp.Listen(ctx, b.record); err != nil {
		t.Fatal("starting Chromium:", err)
	}
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	}); err != nil {
		t.Fatal(err)
	}
	// Registered after the cancel above, so it runs first (cleanups are
	// LIFO), while the page is still there.
	t.Cleanup(b.checkConsole)
	return b
}

// record runs on chromedp's reader goroutine: it only appends.
func (b *browser) record(ev any) {
	var p string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				if len(a.Value) > 0 {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			p = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		p = "exception: " + d.Text
		if d.Exception != nil {
			p += " " + d.Exception.Description
		}
	case *log.EventEntryAdded:
		// Network entries are the browser's note of an HTTP error status;
		// the UI tests cause some on purpose (a refused app) and the UI shows
		// them in words. Anything else at error level is a problem.
		if e := ev.Entry; e.Level == log.EntryLevelError && e.Source != log.EntrySourceNetwork {
			p = fmt.Sprintf("log %s: %s (%s)", e.Source, e.Text, e.URL)
		}
	}
	if p != "" {
		b.mu.Lock()
		b.problems = append(b.problems, p)
		b.mu.Unlock()
	}
}

func (b *browser) checkConsole() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("browser console: %s", p)
	}
}

// do runs steps with a deadline; on failure it saves what the page looked
// like and fails the test.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail(what, err)
	}
}

func (b *browser) fail(what string, err error) {
	b.t.Helper()
	shot := b.save("failure")
	text, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("main")?.innerText ?? document.body.innerText`))
	if len(text) > 3000 {
		text = text[:3000] + "…"
	}
	b.t.Fatalf("%s: %v\nscreenshot: %s\npage text:\n%s", what, err, shot, text)
}

func (b *browser) open(url string) {
	b.t.Helper()
	b.do("open "+url, chromedp.Navigate(url))
}

// waitJS waits until the JavaScript expression is truthy.
func (b *browser) waitJS(what, expr string) {
	b.t.Helper()
	start := time.Now()
	defer func() {
		if d := time.Since(start); d > 2*time.Second {
			b.t.Logf("waited %.1fs for %s", d.Seconds(), what)
		}
	}()
	deadline := start.Add(25 * time.Second)
	for {
		// Evaluated afresh each time, in whatever document the tab shows:
		// the Mesos UI on a follower navigates to the leader's. The last
		// error (or false) is what a timeout reports.
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("still false after %s: %s", time.Since(start).Round(time.Second), expr)
			}
			b.fail("waiting for "+what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitText waits until an element matching css contains text.
func (b *browser) waitText(css, text string) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf("%q in %s", text, css), fmt.Sprintf(
		`[...document.querySelectorAll(%s)].some(e => e.textContent.includes(%s))`, jsString(css), jsString(text)))
}

// gone waits until no element matching css contains text.
func (b *browser) gone(css, text string) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf("%q gone from %s", text, css), fmt.Sprintf(
		`![...document.querySelectorAll(%s)].some(e => e.textContent.includes(%s))`, jsString(css), jsString(text)))
}

func (b *browser) click(css string) {
	b.t.Helper()
	b.do("click "+css, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// fill sets a form control's value as typing would, firing input and
// change so the page sees it.
func (b *browser) fill(css, value string) {
	b.t.Helper()
	b.waitJS(css, fmt.Sprintf("document.querySelector(%s)", jsString(css)))
	b.eval("fill "+css, fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		if (!el) throw new Error("no element " + %[1]s);
		el.value = %s;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return "";
	})()`, jsString(css), jsString(value)))
}

// eval runs JavaScript and returns its value as a string.
func (b *browser) eval(what, expr string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string]("String("+expr+")"))
	if err != nil {
		b.fail(what, err)
	}
	return v
}

// peek evaluates JavaScript like eval, but gives "" instead of failing,
// for a page that may be navigating.
func (b *browser) peek(expr string) string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	v, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("String("+expr+")"))
	return v
}

// screenshot saves the page as name.png in the test's temp dir, and in
// $MESOSBOX_SCREENSHOTS when set.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	path := b.save(name)
	if path == "" {
		b.t.Fatal("screenshot failed")
	}
	b.t.Logf("screenshot %s", path)
	if dir := os.Getenv(screenshotsEnv); dir != "" {
		data, err := os.ReadFile(path)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name+".png"), data, 0o644)
		}
		if err != nil {
			b.t.Fatal(err)
		}
	}
}

// save writes a recompressed PNG of the whole page and returns its path.
func (b *browser) save(name string) string {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	// From the top, so the sticky header is where it belongs.
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`window.scrollTo(0, 0) ?? true`))
	raw, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	if img, err := png.Decode(bytes.NewReader(raw)); err == nil {
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if enc.Encode(&buf, img) == nil && buf.Len() < len(raw) {
			raw = buf.Bytes()
		}
	}
	path := filepath.Join(b.t.TempDir(), name+".png")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	return path
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
