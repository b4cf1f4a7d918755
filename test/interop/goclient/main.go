// weft-xds-client: a grpc-go xDS test peer for Weft's interop tests. It dials an xds:/// target
// (bootstrap from GRPC_XDS_BOOTSTRAP or GRPC_XDS_BOOTSTRAP_CONFIG), makes -n unary calls to
// /weft.interop.Echo/Who, and prints a JSON object counting replies by backend name, or by
// "status:<Code>" for failed calls.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	_ "google.golang.org/grpc/xds" // registers the xds resolver and balancers
)

// rawCodec passes message bytes through: the echo backends speak raw bytes, not a proto.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "raw" }

type headers []string

func (h *headers) String() string     { return strings.Join(*h, ",") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

func main() {
	target := flag.String("target", "", "xds:///host:port")
	n := flag.Int("n", 100, "number of RPCs")
	timeout := flag.Duration("timeout", 5*time.Second, "per-RPC deadline")
	var hdrs headers
	flag.Var(&hdrs, "header", "request header name=value (repeatable)")
	flag.Parse()
	if *target == "" {
		fmt.Fprintln(os.Stderr, "-target is required")
		os.Exit(2)
	}
	conn, err := grpc.NewClient(*target,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer conn.Close()
	pairs := []string{}
	for _, h := range hdrs {
		k, v, _ := strings.Cut(h, "=")
		pairs = append(pairs, k, v)
	}
	counts := map[string]int{}
	for i := 0; i < *n; i++ {
		ctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(context.Background(), pairs...), *timeout)
		in, out := []byte{}, []byte{}
		err := conn.Invoke(ctx, "/weft.interop.Echo/Who", &in, &out)
		cancel()
		if err != nil {
			counts["status:"+status.Code(err).String()]++
			continue
		}
		counts[string(out)]++
	}
	_ = json.NewEncoder(os.Stdout).Encode(counts)
}
