package executor

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
)

// normalizeRef turns what users write in an app definition into the full
// reference containerd stores images under: "busybox" becomes
// "docker.io/library/busybox:latest", "me/app:1" "docker.io/me/app:1".
func normalizeRef(image string) (string, error) {
	named, err := reference.ParseDockerRef(image)
	if err != nil {
		return "", fmt.Errorf("invalid image reference %q: %v", image, err)
	}
	return named.String(), nil
}

// ensureImage returns the image unpacked for the executor's snapshotter:
// the local copy if there is one, else a pull (unless offline).
func (e *containerdExecutor) ensureImage(ctx context.Context, image string) (client.Image, error) {
	ref, err := normalizeRef(image)
	if err != nil {
		return nil, err
	}
	img, err := e.client.GetImage(ctx, ref)
	if errdefs.IsNotFound(err) {
		hint := fmt.Sprintf("import it with `mesosbox image import FILE.tar` (namespace %s)", e.ns)
		if e.offline {
			return nil, fmt.Errorf("image %s not found locally; %s", displayRef(image, ref), hint)
		}
		e.log.Info("pulling image", "image", ref)
		img, err = e.client.Pull(ctx, ref, client.WithPullUnpack, client.WithPullSnapshotter(e.snapshotter))
		if err != nil {
			return nil, fmt.Errorf("image %s not found locally and pulling it failed: %v; %s", displayRef(image, ref), err, hint)
		}
		return img, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up image %s: %w", ref, err)
	}
	unpacked, err := img.IsUnpacked(ctx, e.snapshotter)
	if err == nil && !unpacked {
		err = img.Unpack(ctx, e.snapshotter)
	}
	if err != nil {
		return nil, fmt.Errorf("unpack image %s: %w", ref, err)
	}
	return img, nil
}

func displayRef(image, ref string) string {
	if image == ref {
		return image
	}
	return fmt.Sprintf("%s (%s)", image, ref)
}

// ImportImage imports an image archive (an OCI image layout or `docker
// save` tarball) into containerd's namespace and unpacks it for the
// default snapshotter, for `mesosbox image import FILE.tar`. It returns
// the names the images got.
//
// Image names come from the archive: docker's RepoTags, an OCI index's
// io.containerd.image.name annotation, or its
// org.opencontainers.image.ref.name when that is a full reference
// ("busybox:1.36" is stored as docker.io/library/busybox:1.36).
func ImportImage(ctx context.Context, socket, namespace, tarPath string) ([]string, error) {
	if socket == "" {
		socket = DefaultSocket
	}
	if namespace == "" {
		namespace = "mesosbox"
	}
	f, err := os.Open(tarPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := client.New(socket)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx = namespaces.WithNamespace(ctx, namespace)
	imgs, err := c.Import(ctx, f, client.WithImageRefTranslator(translateRefName))
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", tarPath, err)
	}
	if len(imgs) == 0 {
		return nil, fmt.Errorf("import %s: the archive names no image (tag it before saving, or annotate its index with org.opencontainers.image.ref.name)", tarPath)
	}
	var names []string
	for _, img := range imgs {
		if err := client.NewImage(c, img).Unpack(ctx, ""); err != nil {
			return names, fmt.Errorf("unpack %s: %w", img.Name, err)
		}
		names = append(names, img.Name)
	}
	return names, nil
}

// translateRefName normalises an OCI ref.name annotation that is a full
// reference; a bare tag ("latest") names nothing a task could use, and is
// kept as it is.
func translateRefName(name string) string {
	if !strings.ContainsAny(name, ":/@") {
		return name
	}
	ref, err := normalizeRef(name)
	if err != nil {
		return name
	}
	return ref
}

// ImageInfo is one image in a namespace, for `mesosbox image list`.
type ImageInfo struct {
	Name    string    `json:"name"`
	Digest  string    `json:"digest"`
	Created time.Time `json:"created"`
}

// ListImages lists the images of containerd's namespace, by name.
func ListImages(ctx context.Context, socket, namespace string) ([]ImageInfo, error) {
	if socket == "" {
		socket = DefaultSocket
	}
	if namespace == "" {
		namespace = "mesosbox"
	}
	c, err := client.New(socket)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	imgs, err := c.ImageService().List(namespaces.WithNamespace(ctx, namespace))
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	out := make([]ImageInfo, 0, len(imgs))
	for _, img := range imgs {
		out = append(out, ImageInfo{Name: img.Name, Digest: img.Target.Digest.String(), Created: img.CreatedAt})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
