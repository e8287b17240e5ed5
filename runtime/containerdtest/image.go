package containerdtest

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// BusyboxRef is the name an import of the BusyboxImage tarball gives the
// image: what users get when they write "image": "busybox".
const BusyboxRef = "docker.io/library/busybox:latest"

// busyboxBinary is Debian's busybox-static: a static binary needs no
// libraries in the image.
const busyboxBinary = "/bin/busybox"

// imageFormat changes when the layout written by buildBusybox changes, so
// that a cached tarball from an older builder is not reused.
const imageFormat = "mesosbox-busybox-v1"

// epoch is the fixed time stamped on every file and on the image config, so
// the same busybox binary always yields the same digests.
var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

var busybox struct {
	once sync.Once
	path string
	err  error
}

// BusyboxImage returns the path of an OCI image-layout tarball holding one
// layer: the host's /bin/busybox (busybox-static) and a link to it for every
// applet in /bin. Its config runs "sh" with a standard PATH, and its index
// names it docker.io/library/busybox:latest for containerd's importer.
//
// The tarball is built once per process. Its name carries a hash of the
// busybox binary, so a later test process on the same machine finds it in
// the temp dir and reuses it; it is written to a temporary name and
// renamed, so concurrent test binaries never see half a file.
func BusyboxImage(t testing.TB) string {
	t.Helper()
	busybox.once.Do(func() {
		busybox.path, busybox.err = writeBusyboxImage(os.TempDir())
	})
	if busybox.err != nil {
		t.Fatalf("containerdtest: build busybox image: %v", busybox.err)
	}
	return busybox.path
}

func writeBusyboxImage(dir string) (string, error) {
	bin, err := os.ReadFile(busyboxBinary)
	if err != nil {
		return "", fmt.Errorf("%w (install busybox-static)", err)
	}
	sum := sha256.Sum256(append([]byte(imageFormat), bin...))
	path := filepath.Join(dir, "mesosbox-busybox-"+hex.EncodeToString(sum[:6])+".tar")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	applets, err := busyboxApplets()
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := buildBusybox(&buf, bin, applets); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".mesosbox-busybox-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}

// busyboxApplets asks the binary which applets it was built with, so the
// image has exactly the commands that work in it.
func busyboxApplets() ([]string, error) {
	out, err := exec.Command(busyboxBinary, "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --list: %w", busyboxBinary, err)
	}
	var applets []string
	for _, name := range strings.Fields(string(out)) {
		if name != "busybox" && !strings.Contains(name, "/") {
			applets = append(applets, name)
		}
	}
	sort.Strings(applets)
	if len(applets) == 0 {
		return nil, fmt.Errorf("%s --list printed no applets", busyboxBinary)
	}
	return applets, nil
}

// buildBusybox writes the OCI image layout tarball to w.
func buildBusybox(w io.Writer, bin []byte, applets []string) error {
	layer, err := busyboxLayer(bin, applets)
	if err != nil {
		return err
	}
	layerDesc := descriptor(ocispec.MediaTypeImageLayer, layer)

	platform := ocispec.Platform{Architecture: runtime.GOARCH, OS: "linux"}
	config, err := json.Marshal(ocispec.Image{
		Created:  &epoch,
		Platform: platform,
		Config: ocispec.ImageConfig{
			Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
			Cmd: []string{"sh"},
		},
		RootFS: ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{layerDesc.Digest}},
	})
	if err != nil {
		return err
	}
	configDesc := descriptor(ocispec.MediaTypeImageConfig, config)

	manifest, err := json.Marshal(ocispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ocispec.MediaTypeImageManifest,
		Config:    configDesc,
		Layers:    []ocispec.Descriptor{layerDesc},
	})
	if err != nil {
		return err
	}
	manifestDesc := descriptor(ocispec.MediaTypeImageManifest, manifest)
	manifestDesc.Platform = &platform
	manifestDesc.Annotations = map[string]string{
		ocispec.AnnotationRefName:  "latest",
		"io.containerd.image.name": BusyboxRef,
	}

	index, err := json.Marshal(ocispec.Index{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ocispec.MediaTypeImageIndex,
		Manifests: []ocispec.Descriptor{manifestDesc},
	})
	if err != nil {
		return err
	}
	layout, err := json.Marshal(ocispec.ImageLayout{Version: ocispec.ImageLayoutVersion})
	if err != nil {
		return err
	}

	tw := tar.NewWriter(w)
	for _, dir := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(dirHeader(dir, 0o755)); err != nil {
			return err
		}
	}
	for _, blob := range [][]byte{layer, config, manifest} {
		if err := writeFile(tw, "blobs/sha256/"+digest.FromBytes(blob).Encoded(), 0o644, blob); err != nil {
			return err
		}
	}
	if err := writeFile(tw, ocispec.ImageLayoutFile, 0o644, layout); err != nil {
		return err
	}
	if err := writeFile(tw, ocispec.ImageIndexFile, 0o644, index); err != nil {
		return err
	}
	return tw.Close()
}

// busyboxLayer is the uncompressed root filesystem: the directories a
// container runtime expects, /bin/busybox with one symlink per applet, and
// minimal passwd and group files so tasks can run as root or nobody.
func busyboxLayer(bin []byte, applets []string) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := []struct {
		name string
		mode int64
	}{
		{"bin/", 0o755}, {"dev/", 0o755}, {"etc/", 0o755}, {"home/", 0o755},
		{"proc/", 0o555}, {"root/", 0o700}, {"sys/", 0o555}, {"tmp/", 0o1777},
		{"usr/", 0o755}, {"usr/bin/", 0o755}, {"var/", 0o755},
	}
	for _, d := range dirs {
		if err := tw.WriteHeader(dirHeader(d.name, d.mode)); err != nil {
			return nil, err
		}
	}
	if err := writeFile(tw, "bin/busybox", 0o755, bin); err != nil {
		return nil, err
	}
	for _, applet := range applets {
		if err := tw.WriteHeader(symlinkHeader("bin/"+applet, "busybox")); err != nil {
			return nil, err
		}
	}
	// Scripts written as "#!/usr/bin/env sh" need env where they look for it.
	if err := tw.WriteHeader(symlinkHeader("usr/bin/env", "/bin/busybox")); err != nil {
		return nil, err
	}
	passwd := "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n"
	group := "root:x:0:\nnogroup:x:65534:\n"
	if err := writeFile(tw, "etc/passwd", 0o644, []byte(passwd)); err != nil {
		return nil, err
	}
	if err := writeFile(tw, "etc/group", 0o644, []byte(group)); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func descriptor(mediaType string, blob []byte) ocispec.Descriptor {
	return ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(blob), Size: int64(len(blob))}
}

func dirHeader(name string, mode int64) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode, ModTime: epoch, Format: tar.FormatPAX}
}

func symlinkHeader(name, target string) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777, ModTime: epoch, Format: tar.FormatPAX}
}

func writeFile(tw *tar.Writer, name string, mode int64, data []byte) error {
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: epoch, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}
