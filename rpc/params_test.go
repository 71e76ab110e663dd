package rpc

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestParamsSplitTopLevelElements(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{`{"params":[]}`, nil},
		{`{"params":[ ]}`, nil},
		{`{"params":null}`, nil},
		{`{}`, nil},
		{`{"params":[1]}`, []string{`1`}},
		{`{"params":[ "a,b" , {"x":"]},[\""} , [1,[2,3]] ,null]}`, []string{`"a,b"`, `{"x":"]},[\""}`, `[1,[2,3]]`, `null`}},
		{`{"params":["\\",2]}`, []string{`"\\"`, `2`}},
	}
	for _, c := range cases {
		var req request
		if err := json.Unmarshal([]byte(c.in), &req); err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		p, perr := req.Params.params()
		if perr != nil {
			t.Fatalf("%s: %v", c.in, perr)
		}
		var got []string
		for _, e := range p {
			got = append(got, string(e))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: split %q, want %q", c.in, got, c.want)
		}
	}
	var req request
	json.Unmarshal([]byte(`{"params":{"a":1}}`), &req)
	if _, perr := req.Params.params(); perr == nil || perr.Code != codeInvalidParams {
		t.Fatalf("an object as params: %v", perr)
	}
}

func TestParamStringFastPathMatchesDecoder(t *testing.T) {
	for _, raw := range []string{`"abc"`, `"a\"b"`, `"\u0041B"`, `"héllo"`, `""`} {
		got, err := params{json.RawMessage(raw)}.str(0)
		var want string
		json.Unmarshal([]byte(raw), &want)
		if err != nil || got != want {
			t.Errorf("%s: %q (%v), want %q", raw, got, err, want)
		}
	}
}
