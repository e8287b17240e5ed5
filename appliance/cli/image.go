package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/mesosbox/mesosbox/appliance"
	"github.com/mesosbox/mesosbox/runtime/executor"
)

// imageOptions are the flags of the image commands.
type imageOptions struct {
	ContainerdSocket, ContainerdNamespace string
	json                                  *bool
}

func newImageFlags() (*flag.FlagSet, *imageOptions) {
	def := appliance.DefaultConfig()
	opt := &imageOptions{}
	fs := newFlagSet("image")
	fs.StringVar(&opt.ContainerdSocket, "containerd-socket", envOr(appliance.EnvName("containerd-socket"), def.ContainerdSocket), "containerd's socket")
	fs.StringVar(&opt.ContainerdNamespace, "containerd-namespace", envOr(appliance.EnvName("containerd-namespace"), def.ContainerdNamespace), "containerd namespace")
	opt.json = fs.Bool("json", false, "print JSON (list)")
	return fs, opt
}

// image handles `mesosbox image import FILE.tar` — what a user does on a
// machine without registry access before running image tasks — and
// `mesosbox image list`. Both talk to containerd directly, in the node's
// namespace.
func image(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "import" && args[0] != "list") {
		return usageError(stderr, "image")
	}
	fs, cfg := newImageFlags()
	asJSON := cfg.json
	rest, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return usageError(stderr, "image")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if args[0] == "list" {
		if len(rest) != 0 {
			return usageError(stderr, "image")
		}
		imgs, err := executor.ListImages(ctx, cfg.ContainerdSocket, cfg.ContainerdNamespace)
		if err != nil {
			return fail(stderr, "image list", err)
		}
		if *asJSON {
			b, _ := json.Marshal(imgs)
			writeJSONOut(stdout, b)
			return 0
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tDIGEST\tCREATED")
		for _, img := range imgs {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", img.Name, img.Digest, img.Created.Local().Format(time.DateTime))
		}
		tw.Flush()
		return 0
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "mesosbox image import: give exactly one image archive")
		return 2
	}
	names, err := executor.ImportImage(ctx, cfg.ContainerdSocket, cfg.ContainerdNamespace, rest[0])
	if err != nil {
		return fail(stderr, "image import", err)
	}
	for _, n := range names {
		fmt.Fprintln(stdout, "imported", n)
	}
	return 0
}
