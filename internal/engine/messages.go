package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/docker/docker/pkg/jsonmessage"
	controlapi "github.com/moby/buildkit/api/services/control"
	buildkitclient "github.com/moby/buildkit/client"
	"google.golang.org/protobuf/proto"
)

// Message IDs the engine uses for the aux payloads of a BuildKit build.
const (
	auxBuildKitTrace = "moby.buildkit.trace"
	auxImageID       = "moby.image.id"
)

// decodeBuildStream reads the JSON messages of a build response, sends
// BuildKit status updates to statuses and returns the image ID the engine
// reported. It closes statuses when the stream ends.
func decodeBuildStream(r io.Reader, statuses chan<- *buildkitclient.SolveStatus, text io.Writer) (string, error) {
	defer close(statuses)

	var imageID string
	dec := json.NewDecoder(r)
	for {
		var msg jsonmessage.JSONMessage
		if err := dec.Decode(&msg); err != nil {
			if errors.Is(err, io.EOF) {
				return imageID, nil
			}
			return imageID, fmt.Errorf("read build output: %w", err)
		}
		if msg.Error != nil {
			return imageID, errors.New(msg.Error.Message)
		}

		switch msg.ID {
		case auxBuildKitTrace:
			status, err := decodeTrace(msg.Aux)
			if err != nil {
				return imageID, err
			}
			if status != nil {
				statuses <- status
			}
		case auxImageID:
			var result struct{ ID string }
			if err := json.Unmarshal(*msg.Aux, &result); err != nil {
				return imageID, fmt.Errorf("decode image ID from build output: %w", err)
			}
			imageID = result.ID
		default:
			if msg.Stream != "" && text != nil {
				fmt.Fprint(text, msg.Stream)
			}
		}
	}
}

func decodeTrace(aux *json.RawMessage) (*buildkitclient.SolveStatus, error) {
	if aux == nil {
		return nil, nil
	}
	var raw []byte
	if err := json.Unmarshal(*aux, &raw); err != nil {
		return nil, fmt.Errorf("decode BuildKit trace: %w", err)
	}
	var resp controlapi.StatusResponse
	if err := proto.Unmarshal(raw, &resp); err != nil {
		return nil, fmt.Errorf("decode BuildKit status: %w", err)
	}
	return buildkitclient.NewSolveStatus(&resp), nil
}

// drainMessages reads a JSON message stream to its end and returns the first
// error message in it.
func drainMessages(r io.Reader) error {
	dec := json.NewDecoder(r)
	for {
		var msg jsonmessage.JSONMessage
		if err := dec.Decode(&msg); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if msg.Error != nil {
			return errors.New(msg.Error.Message)
		}
	}
}
