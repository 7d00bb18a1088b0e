package engine

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"
)

// Image is the part of an engine image's metadata that the program uses.
type Image struct {
	ID      string
	Tags    []string
	Size    int64
	Created time.Time
	Labels  map[string]string
	Env     []string
	User    string
	// Parent is the ID of the image it was committed on, empty for images
	// built by BuildKit, which records no parent.
	Parent string
	// Layers are the diff IDs of the image's root filesystem, bottom first.
	Layers []string
}

// InspectImage returns the image that ref names. The boolean is false, with
// a nil error, when the engine has no such image.
func (c *Client) InspectImage(ctx context.Context, ref string) (Image, bool, error) {
	resp, err := c.api.ImageInspect(ctx, ref)
	if errdefs.IsNotFound(err) {
		return Image{}, false, nil
	}
	if err != nil {
		return Image{}, false, fmt.Errorf("inspect image %s: %w", ref, err)
	}

	img := Image{
		ID:     resp.ID,
		Tags:   resp.RepoTags,
		Size:   resp.Size,
		Parent: resp.Parent,
		Layers: resp.RootFS.Layers,
	}
	if t, err := time.Parse(time.RFC3339Nano, resp.Created); err == nil {
		img.Created = t
	}
	if resp.Config != nil {
		img.Labels = resp.Config.Labels
		img.Env = resp.Config.Env
		img.User = resp.Config.User
	}
	return img, true, nil
}

// ImageHistory returns the history entries of an image, newest first: the
// command that created each layer.
func (c *Client) ImageHistory(ctx context.Context, ref string) ([]string, error) {
	items, err := c.api.ImageHistory(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("read history of image %s: %w", ref, err)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.CreatedBy+" "+it.Comment)
	}
	return out, nil
}

// SaveImage streams the image as a `docker save` tar archive. The caller
// closes the reader.
func (c *Client) SaveImage(ctx context.Context, ref string) (io.ReadCloser, error) {
	rc, err := c.api.ImageSave(ctx, []string{ref})
	if err != nil {
		return nil, fmt.Errorf("save image %s: %w", ref, err)
	}
	return rc, nil
}

// RemoveImage untags ref and deletes the image when no other tag uses it.
// A missing image is not an error.
func (c *Client) RemoveImage(ctx context.Context, ref string) error {
	_, err := c.api.ImageRemove(ctx, ref, image.RemoveOptions{Force: true, PruneChildren: true})
	if err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("remove image %s: %w", ref, err)
	}
	return nil
}

// ImportImage creates an image from a root filesystem tar stream, like
// `docker import`, applying Dockerfile-style changes (ENV, USER, WORKDIR,
// LABEL, CMD), and tags it ref. It returns the image ID.
func (c *Client) ImportImage(ctx context.Context, rootfs io.Reader, ref string, changes []string) (string, error) {
	resp, err := c.api.ImageImport(ctx, image.ImportSource{Source: rootfs, SourceName: "-"}, ref, image.ImportOptions{Changes: changes})
	if err != nil {
		return "", fmt.Errorf("import image %s: %w", ref, err)
	}
	defer resp.Close()

	if err := drainMessages(resp); err != nil {
		return "", fmt.Errorf("import image %s: %w", ref, err)
	}
	img, ok, err := c.InspectImage(ctx, ref)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("import image %s: the engine reported success but has no such image", ref)
	}
	return img.ID, nil
}

// TagImage gives the image that source names the extra tag target.
func (c *Client) TagImage(ctx context.Context, source, target string) error {
	if err := c.api.ImageTag(ctx, source, target); err != nil {
		return fmt.Errorf("tag image %s as %s: %w", source, target, err)
	}
	return nil
}
