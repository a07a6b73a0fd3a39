// A Go crypto/tls client with Go's defaults, the "Go" client of rtspeek's interop matrix: it verifies the
// server the way Go programs (MediaMTX, go2rtc for host names) do, then asks for OPTIONS over the
// connection. Built by the tests with `GO111MODULE=off go build` from Debian's golang-go.
//
//	go_tls_client HOST PORT [CA.pem]
//
// Trust: the system store, SSL_CERT_FILE, or CA.pem when given. Prints `ok VERSION SUITE` and exits 0 when
// an RTSP response came back over TLS; prints `error ...` and exits 1 otherwise.
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Println("error usage: go_tls_client HOST PORT [CA.pem]")
		os.Exit(1)
	}
	host, port := os.Args[1], os.Args[2]
	config := &tls.Config{ServerName: host}
	if len(os.Args) > 3 {
		pem, err := os.ReadFile(os.Args[3])
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		config.RootCAs = pool
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	conn, err := tls.DialWithDialer(dialer, "tcp", net.JoinHostPort(host, port), config)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "OPTIONS rtsps://%s/ RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: go_tls_client\r\n\r\n", net.JoinHostPort(host, port))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "RTSP/1.0") {
		fmt.Println("error no RTSP answer:", err, strings.TrimSpace(line))
		os.Exit(1)
	}
	state := conn.ConnectionState()
	fmt.Printf("ok 0x%04x %s\n", state.Version, tls.CipherSuiteName(state.CipherSuite))
}
