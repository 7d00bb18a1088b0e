package offline

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// unmountUnder detaches every mount at or below dir, deepest first.
func unmountUnder(dir string) error {
	mountPoints, err := mountPointsUnder(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, mountPoint := range mountPoints {
		if err := unix.Unmount(mountPoint, unix.MNT_DETACH); err != nil {
			errs = append(errs, fmt.Errorf("unmount %s: %w", mountPoint, err))
		}
	}
	return errors.Join(errs...)
}

// mountPointsUnder returns the mount points at or below dir from
// /proc/self/mountinfo, longest path first.
func mountPointsUnder(dir string) ([]string, error) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("list mounts: %w", err)
	}
	dir = filepath.Clean(dir)

	var found []string
	scanner := bufio.NewScanner(bytes.NewReader(data))
	for scanner.Scan() {
		// The fifth field is the mount point, with space, tab, newline and
		// backslash written as octal escapes.
		fields := strings.Fields(scanner.Text())
		if len(fields) < 5 {
			continue
		}
		mountPoint := unescapeMountinfo(fields[4])
		if mountPoint == dir || strings.HasPrefix(mountPoint, dir+"/") {
			found = append(found, mountPoint)
		}
	}
	sort.Slice(found, func(i, j int) bool { return len(found[i]) > len(found[j]) })
	return found, nil
}

func unescapeMountinfo(field string) string {
	var out strings.Builder
	for i := 0; i < len(field); i++ {
		if field[i] == '\\' && i+3 < len(field) {
			if code, err := strconv.ParseUint(field[i+1:i+4], 8, 8); err == nil {
				out.WriteByte(byte(code))
				i += 3
				continue
			}
		}
		out.WriteByte(field[i])
	}
	return out.String()
}
