package offline

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// emptiedDirs are the top-level directories whose contents Tar leaves out:
// the kernel and the container engine provide them when a container runs.
var emptiedDirs = map[string]bool{"proc": true, "sys": true, "dev": true}

// Tar streams the tree under dir as a tar archive, for an image import.
//
// It walks the tree while the caller reads, so the archive is never held in
// memory. Entries keep their modes (with setuid, setgid and sticky bits),
// numeric owners, modification times, symlinks and hardlinks, and are named
// relative to dir. Directories /proc, /sys and /dev are written empty, and
// sockets are left out. A walk or read error ends the stream with that error
// at the reader. Closing the reader early stops the walk.
//
// NOTE: extended attributes such as file capabilities are not copied.
func Tar(dir string) io.ReadCloser {
	reader, writer := io.Pipe()
	go func() {
		writer.CloseWithError(writeTar(dir, writer))
	}()
	return reader
}

// inode identifies a file across hardlinks.
type inode struct {
	device uint64
	number uint64
}

func writeTar(dir string, out io.Writer) error {
	tw := tar.NewWriter(out)
	firstPaths := map[inode]string{}

	err := filepath.WalkDir(dir, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		name := filepath.ToSlash(rel)

		info, err := entry.Info()
		if err != nil {
			return err
		}
		if info.Mode()&fs.ModeSocket != 0 {
			return nil
		}

		header, err := tarHeader(path, name, info, firstPaths)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(header); err != nil {
			return fmt.Errorf("write tar header of %s: %w", path, err)
		}
		if header.Typeflag == tar.TypeReg && header.Size > 0 {
			if err := copyFile(tw, path); err != nil {
				return err
			}
		}

		if entry.IsDir() && emptiedDirs[name] {
			return fs.SkipDir
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// tarHeader builds the header of one entry. The first path seen of a file
// with several hardlinks carries the content, and later paths link to it.
func tarHeader(path, name string, info fs.FileInfo, firstPaths map[inode]string) (*tar.Header, error) {
	link := ""
	if info.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(path)
		if err != nil {
			return nil, err
		}
		link = target
	}

	header, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return nil, fmt.Errorf("tar header of %s: %w", path, err)
	}
	header.Name = name
	if info.IsDir() {
		header.Name += "/"
	}
	// The owner names of the machine that builds the tree mean nothing
	// inside it, so only the numeric ids go into the archive.
	header.Uname = ""
	header.Gname = ""

	stat, ok := info.Sys().(*syscall.Stat_t)
	if ok && info.Mode().IsRegular() && stat.Nlink > 1 {
		key := inode{device: uint64(stat.Dev), number: stat.Ino}
		if first, seen := firstPaths[key]; seen {
			header.Typeflag = tar.TypeLink
			header.Linkname = first
			header.Size = 0
		} else {
			firstPaths[key] = name
		}
	}
	return header, nil
}

func copyFile(w io.Writer, path string) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	if _, err := io.Copy(w, file); err != nil {
		return fmt.Errorf("write %s to the tar stream: %w", path, err)
	}
	return nil
}
