package action

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/antikythera-gear/gearimage/internal/pipeline"
	"github.com/antikythera-gear/gearimage/internal/report"
	"github.com/antikythera-gear/gearimage/internal/request"
)

// Names of the step outputs. Each built image sets <image>_image_id and
// <image>_tags, such as gear_image_id.
const (
	outputImageIDSuffix = "_image_id"
	outputTagsSuffix    = "_tags"
	outputMetadata      = "metadata"
)

// Environment files of the runner, read through Getenv.
const (
	envGitHubOutput      = "GITHUB_OUTPUT"
	envGitHubStepSummary = "GITHUB_STEP_SUMMARY"
)

// Metadata is the JSON document of the metadata output.
type Metadata struct {
	Target request.Target `json:"target"`
	// Images lists the built images in build order. After a failed build
	// it lists the images built before it.
	Images []ImageMetadata `json:"images"`
}

// ImageMetadata describes one built image.
type ImageMetadata struct {
	Image   request.Target `json:"image"`
	Tags    []string       `json:"tags"`
	ImageID string         `json:"image_id"`
	// Size is the image size in bytes as the engine reports it.
	Size            int64   `json:"size"`
	DurationSeconds float64 `json:"duration_seconds"`
	// Reused is the previous image whose _build and deps the gear build
	// copied in; nil when it built from scratch or is not a gear.
	Reused *string `json:"reused"`
}

// NewMetadata returns the metadata document of a run's results.
func NewMetadata(target request.Target, results []pipeline.Result) Metadata {
	m := Metadata{Target: target, Images: []ImageMetadata{}}
	for _, r := range results {
		img := ImageMetadata{
			Image:           r.Image,
			Tags:            r.Tags,
			ImageID:         r.ImageID,
			Size:            r.Size,
			DurationSeconds: r.Duration.Round(time.Millisecond).Seconds(),
		}
		if r.Reused != "" {
			reused := r.Reused
			img.Reused = &reused
		}
		m.Images = append(m.Images, img)
	}
	return m
}

// writeOutputs sets the image ID and tags of each built image and the
// metadata document as step outputs. Tags are joined with commas, the list
// format the *_tags inputs take.
func writeOutputs(gh *githubactions.Action, target request.Target, results []pipeline.Result) error {
	if gh.Getenv(envGitHubOutput) == "" {
		return errors.New(envGitHubOutput + " is not set; run the program as a step of a GitHub Actions job")
	}

	doc, err := json.Marshal(NewMetadata(target, results))
	if err != nil {
		return fmt.Errorf("encode metadata: %w", err)
	}
	return recoverFileCommand(func() {
		for _, r := range results {
			gh.SetOutput(string(r.Image)+outputImageIDSuffix, r.ImageID)
			gh.SetOutput(string(r.Image)+outputTagsSuffix, strings.Join(r.Tags, ","))
		}
		gh.SetOutput(outputMetadata, string(doc))
	})
}

// writeSummary appends a Markdown table of the built images to the step
// summary, followed by a line on what went wrong when err is not nil. The
// summary contains no error text, because build errors can quote the
// output of commands.
func writeSummary(gh *githubactions.Action, target request.Target, results []pipeline.Result, obs *observer, err error) error {
	if gh.Getenv(envGitHubStepSummary) == "" {
		return errors.New(envGitHubStepSummary + " is not set")
	}
	return recoverFileCommand(func() {
		gh.AddStepSummary(summaryMarkdown(target, results, obs, err))
	})
}

func summaryMarkdown(target request.Target, results []pipeline.Result, obs *observer, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Antikythera gear images (target %s)\n\n", target)

	var invalid *pipeline.InvalidError
	if errors.As(err, &invalid) {
		fmt.Fprintf(&b, "Nothing was built or tagged: %s found, listed as error annotations of this step.\n", request.CountProblems(len(invalid.Problems)))
		return b.String()
	}

	if len(results) > 0 {
		b.WriteString("| Image | Tags | Image ID | Size | Duration | Reused |\n")
		b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
		for _, r := range results {
			fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %s | %s |\n",
				r.Image, codeList(r.Tags), report.ShortID(r.ImageID), report.FormatSize(r.Size), report.FormatDuration(r.Duration), reusedCell(r.Reused))
		}
	}

	switch {
	case err == nil:
	case obs.failed:
		fmt.Fprintf(&b, "\nThe build of the %s image failed; its log group and error annotation show why.\n", obs.failedImage)
	default:
		b.WriteString("\nThe run failed before the builds finished; the error annotation of this step shows why.\n")
	}
	return b.String()
}

// codeList formats tags as code, one per line of the table cell.
func codeList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return strings.Join(quoted, "<br>")
}

func reusedCell(previous string) string {
	if previous == "" {
		return "no"
	}
	return "from `" + previous + "`"
}

// recoverFileCommand runs write and returns the panic with which
// go-githubactions reports a failed write to an environment file as an
// error.
func recoverFileCommand(write func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	write()
	return nil
}
