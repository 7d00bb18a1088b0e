package engine

import (
	"archive/tar"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	archive "github.com/moby/go-archive"
	"github.com/moby/patternmatcher/ignorefile"
)

// contextTar is a build context being streamed from disk.
type contextTar struct {
	io.ReadCloser
	// dockerfile is the Dockerfile's path inside the tar, as the engine
	// expects it in the build request.
	dockerfile string
}

// openContext starts streaming dir as a tar archive that leaves out what
// dir/.dockerignore excludes. A Dockerfile outside dir is added to the
// stream under a unique name. Files are read while the engine consumes the
// stream, so the context is never held in memory whole.
func openContext(dir, dockerfile string) (*contextTar, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolve build context %s: %w", dir, err)
	}
	absDockerfile, err := filepath.Abs(dockerfile)
	if err != nil {
		return nil, fmt.Errorf("resolve Dockerfile %s: %w", dockerfile, err)
	}

	excludes, err := readDockerignore(absDir)
	if err != nil {
		return nil, err
	}

	rel, err := filepath.Rel(absDir, absDockerfile)
	inside := err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	if inside {
		rel = filepath.ToSlash(rel)
		// The engine reads the Dockerfile and .dockerignore from the
		// context, so they are sent even when .dockerignore lists them.
		excludes = append(excludes, "!"+rel, "!.dockerignore")
	}

	stream, err := archive.TarWithOptions(absDir, &archive.TarOptions{ExcludePatterns: excludes})
	if err != nil {
		return nil, fmt.Errorf("read build context %s: %w", dir, err)
	}
	if inside {
		return &contextTar{ReadCloser: stream, dockerfile: rel}, nil
	}

	content, err := os.ReadFile(absDockerfile)
	if err != nil {
		stream.Close()
		return nil, fmt.Errorf("read Dockerfile %s: %w", dockerfile, err)
	}
	name := ".gearimage-dockerfile-" + randomHex(8)
	withDockerfile := archive.ReplaceFileTarWrapper(stream, map[string]archive.TarModifierFunc{
		name: func(string, *tar.Header, io.Reader) (*tar.Header, []byte, error) {
			hdr := &tar.Header{Name: name, Mode: 0o600, Size: int64(len(content)), Typeflag: tar.TypeReg}
			return hdr, content, nil
		},
	})
	return &contextTar{ReadCloser: withDockerfile, dockerfile: name}, nil
}

func readDockerignore(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, ".dockerignore"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, ".dockerignore"), err)
	}
	defer f.Close()

	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", f.Name(), err)
	}
	return patterns, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
