package offline

import (
	"strings"

	"github.com/antikythera-gear/gearimage/internal/dockerfiles"
)

// Settings of the imported elixir image. They match what the gear Dockerfile
// expects of an elixir image: the user batch with HOME /home/batch, and mix,
// elixir and erl on PATH (Debian installs them in /usr/bin).
const (
	imagePath   = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	imageLocale = "en_US.UTF-8"
	imageUser   = "batch"
	imageHome   = "/home/batch"
)

// Changes returns the Dockerfile instructions that turn the imported tree
// into an elixir image, for the changes of an image import (docker import
// --change): PATH, HOME, LANG and LC_ALL, USER batch, WORKDIR /home/batch,
// and the Erlang and Elixir version labels.
func Changes(erlang, elixir string) []string {
	return []string{
		"ENV PATH=" + imagePath,
		"ENV HOME=" + imageHome,
		"ENV LANG=" + imageLocale,
		"ENV LC_ALL=" + imageLocale,
		"USER " + imageUser,
		"WORKDIR " + imageHome,
		"LABEL " + dockerfiles.ErlangVersionLabel + "=" + quoteLabelValue(erlang) +
			" " + dockerfiles.ElixirVersionLabel + "=" + quoteLabelValue(elixir),
	}
}

// quoteLabelValue quotes a LABEL value for the Dockerfile parser, which reads
// a backslash escape inside double quotes and would expand a "$".
func quoteLabelValue(value string) string {
	escaped := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`).Replace(value)
	return `"` + escaped + `"`
}
