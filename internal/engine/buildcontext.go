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
	"time"

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
// dir/.dockerignore excludes, and the files in exclude even when it lists
// no pattern for them. A
// Dockerfile outside dir is added to the stream. Files are read while the
// engine consumes the stream, so the context is never held in memory whole.
func openContext(dir, dockerfile string, exclude []string) (*contextTar, error) {
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

	for _, path := range exclude {
		if rel, ok := relativeInside(absDir, path); ok {
			excludes = append(excludes, escapePattern(rel))
		}
	}

	rel, inside := relativeInside(absDir, absDockerfile)
	if inside {
		// The engine reads the Dockerfile and .dockerignore from the
		// context, so they are sent even when .dockerignore lists them.
		excludes = append(excludes, "!"+rel, "!"+dockerignoreName)
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
	// The added Dockerfile and the rewritten .dockerignore keep the same
	// names and content from one build to the next, so a COPY . that takes
	// them still hits the build cache. Both are listed in that .dockerignore
	// for engines that apply it to an uploaded context.
	// NOTE: the BuildKit of Docker Engine 20.10 does not, so there COPY .
	// copies .gearimage.Dockerfile into the image. A Dockerfile inside the
	// context directory avoids it.
	withDockerfile := archive.ReplaceFileTarWrapper(stream, map[string]archive.TarModifierFunc{
		outsideDockerfileName: func(string, *tar.Header, io.Reader) (*tar.Header, []byte, error) {
			return regularFile(outsideDockerfileName, content), content, nil
		},
		dockerignoreName: func(_ string, _ *tar.Header, old io.Reader) (*tar.Header, []byte, error) {
			var patterns []byte
			if old != nil {
				var err error
				if patterns, err = io.ReadAll(old); err != nil {
					return nil, nil, err
				}
			}
			patterns = append(patterns, []byte("\n"+outsideDockerfileName+"\n"+dockerignoreName+"\n")...)
			return regularFile(dockerignoreName, patterns), patterns, nil
		},
	})
	return &contextTar{ReadCloser: withDockerfile, dockerfile: outsideDockerfileName}, nil
}

// Names in the context tar of a Dockerfile from outside the context
// directory, and of the ignore file.
const (
	outsideDockerfileName = ".gearimage.Dockerfile"
	dockerignoreName      = ".dockerignore"
)

// regularFile returns the tar header of a file added to the context. Its
// fixed time keeps the file's checksum, and so the build cache, stable.
func regularFile(name string, content []byte) *tar.Header {
	return &tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}
}

// InContext reports whether path is a file inside the build context dir.
func InContext(dir, path string) bool {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	_, inside := relativeInside(absDir, path)
	return inside
}

// relativeInside returns path relative to dir, with forward slashes, and
// whether path is inside dir.
func relativeInside(dir, path string) (string, bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// escapePattern makes a path match itself only as a .dockerignore pattern.
func escapePattern(path string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`).Replace(path)
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
