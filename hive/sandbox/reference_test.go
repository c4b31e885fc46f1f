package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
	"github.com/hiveconsole/hiveconsole/internal/apiref"
)

// sameShape compares two JSON values structurally: the same keys at every level and the same JSON
// types. The reference's optional fields are strings in some examples and null in others, so string
// and null count as one type; array elements are compared with the reference's first one.
func sameShape(path string, ref, got any) error {
	if ref == nil || got == nil {
		_, refString := ref.(string)
		_, gotString := got.(string)
		if ref == got || refString || gotString {
			return nil
		}
		return fmt.Errorf("%s: reference %T, got %T", path, ref, got)
	}
	if reflect.TypeOf(ref) != reflect.TypeOf(got) {
		return fmt.Errorf("%s: reference %T, got %T", path, ref, got)
	}
	switch r := ref.(type) {
	case map[string]any:
		g := got.(map[string]any)
		if rk, gk := keys(r), keys(g); !reflect.DeepEqual(rk, gk) {
			return fmt.Errorf("%s: reference keys %v, got %v", path, rk, gk)
		}
		for k := range r {
			if err := sameShape(path+"."+k, r[k], g[k]); err != nil {
				return err
			}
		}
	case []any:
		g := got.([]any)
		if len(r) > 0 && len(g) == 0 {
			return fmt.Errorf("%s: reference has elements, got none", path)
		}
		if len(r) > 0 {
			return sameShape(path+"[0]", r[0], g[0])
		}
	}
	return nil
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestObjectsHaveTheReferenceShape: for each example of the reference, the sandbox's JSON for the
// same kind of object has exactly the same keys and JSON types.
func TestObjectsHaveTheReferenceShape(t *testing.T) {
	e := startSandbox(t)
	ctx := context.Background()
	custID, sessionID := e.customerWithSession("john@hive.id")
	e.complete(sessionID, sandbox.ScenarioClear)
	check, err := e.client.CreateCheck(ctx, sessionID)
	if err != nil {
		t.Fatal(err)
	}
	processing := e.raw("GET", "/checks", "", "", 200) // before any read completes it
	e.raw("GET", "/checks/"+check.ID, "", "", 200)
	files, err := e.client.ListFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const form = "application/x-www-form-urlencoded"
	newCustomer := func() string {
		c, err := e.client.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("x@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	newSession := func() string {
		_, s := e.customerWithSession("y@example.com")
		return s
	}
	tok := e.raw("POST", "/sessions", form, "customer_id="+custID+"&application_key="+e.srv.Credentials().ApplicationKey, 200)
	cases := map[int][]byte{
		apiref.Token:            e.rawToken(),
		apiref.CustomerObject:   e.raw("GET", "/customers/"+custID, "", "", 200),
		apiref.CustomerCreate:   e.raw("POST", "/customers", form, "email=john2@hive.id", 200),
		apiref.CustomerList:     e.raw("GET", "/customers", "", "", 200),
		apiref.CustomerRetrieve: e.raw("GET", "/customers/"+custID, "", "", 200),
		apiref.CustomerUpdate:   e.raw("PATCH", "/customers/"+custID, form, "middle_name=Farrell", 200),
		apiref.CustomerDelete:   e.raw("DELETE", "/customers/"+newCustomer(), "", "", 200),
		apiref.SessionObject:    e.raw("GET", "/sessions/"+sessionID, "", "", 200),
		apiref.SessionCreate:    tok,
		apiref.SessionList:      e.raw("GET", "/sessions", "", "", 200),
		apiref.SessionRetrieve:  e.raw("GET", "/sessions/"+sessionID, "", "", 200),
		apiref.SessionDelete:    e.raw("DELETE", "/sessions/"+newSession(), "", "", 200),
		apiref.CheckObject:      e.raw("GET", "/checks/"+check.ID, "", "", 200),
		apiref.CheckCreate:      mustJSON(t, check),
		apiref.CheckList:        processing,
		apiref.CheckRetrieve:    e.raw("GET", "/checks/"+check.ID, "", "", 200),
		apiref.Report:           e.raw("GET", "/checks/"+check.ID+"/report", "", "", 200),
		apiref.FileObject:       e.raw("GET", "/files/"+files.Data[0].ID, "", "", 200),
		apiref.FileList:         e.raw("GET", "/files", "", "", 200),
		apiref.FileRetrieve:     e.raw("GET", "/files/"+files.Data[0].ID, "", "", 200),
	}
	examples := apiref.Examples()
	for i, ex := range examples {
		t.Run(fmt.Sprintf("%d %s %s", i, ex.Path, ex.Label), func(t *testing.T) {
			var ref, got any
			if err := json.Unmarshal(apiref.Fixed(ex.JSON), &ref); err != nil {
				t.Fatal(err)
			}
			body, ok := cases[i]
			if !ok {
				t.Fatal("no sandbox object for this example")
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("sandbox JSON: %v: %s", err, body)
			}
			if err := sameShape("$", ref, got); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func (e *env) rawToken() []byte {
	c := e.srv.Credentials()
	req, _ := http.NewRequest("GET", e.http.URL+"/token", nil)
	req.SetBasicAuth(c.APIKey, c.APISecret)
	return e.do(req, 200)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var exampleIDs = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// TestReferenceCurlExamples runs every curl example of the reference as a real curl command against
// a started sandbox. Only what cannot be the same is changed: the host, the abbreviated token and
// the example ids (replaced by objects that exist); the API key placeholders get the sandbox's keys,
// and the application key is fixed to the reference's own.
func TestReferenceCurlExamples(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal("curl is required (CI installs it): ", err)
	}
	e := startSandbox(t, func(o *sandbox.Options) { o.Credentials.ApplicationKey = "hWsqWCs7fS4nfKW1cYevw7fxKLKTN78a" })
	ctx := context.Background()
	creds := e.srv.Credentials()
	token := e.token()
	for i, ex := range apiref.Curls() {
		cmd := ex.Command
		// Fresh objects for each example, so deletes do not starve later ones.
		custID, checkedID := e.customerWithSession(fmt.Sprintf("curl%d@example.com", i))
		e.complete(checkedID, sandbox.ScenarioClear)
		_, sessionID := e.customerWithSession(fmt.Sprintf("curl%d-b@example.com", i))
		e.complete(sessionID, sandbox.ScenarioClear) // no check yet: POST /checks can take it
		check, err := e.client.CreateCheck(ctx, checkedID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.client.GetCheck(ctx, check.ID); err != nil {
			t.Fatal(err)
		}
		files, _ := e.client.ListFiles(ctx)
		ids := map[string]string{
			"8462e8ce-4245-4eca-835c-4a160b93b030": custID,
			"d8779205-f122-4325-af25-942e7850b696": sessionID,
			"db3590ce-3121-4b0d-9839-733709727f7b": check.ID,
			"e1e0cdc7-5c10-4fe9-85c8-18add6596ef0": files.Data[0].ID,
		}
		cmd = strings.ReplaceAll(cmd, "https://api.hive.id", e.http.URL)
		cmd = strings.ReplaceAll(cmd, "jiHzJf7DyZ...yx9ymk", token)
		cmd = strings.ReplaceAll(cmd, "[YOUR API KEY]", creds.APIKey)
		cmd = strings.ReplaceAll(cmd, "[YOUR API SECRET]", creds.APISecret)
		cmd = exampleIDs.ReplaceAllStringFunc(cmd, func(id string) string {
			if v, ok := ids[id]; ok {
				return v
			}
			t.Fatalf("curl example %d names an unknown example id %s", i, id)
			return id
		})
		t.Run(strings.Join(strings.Fields(ex.Command)[:2], " ")+fmt.Sprint(i), func(t *testing.T) {
			args := append([]string{"-c", strings.Replace(cmd, "curl ", curl+" -sS --fail-with-body ", 1)}, []string{}...)
			out, err := exec.Command("bash", args...).CombinedOutput()
			if err != nil {
				t.Fatalf("%s\n-> %v\n%s", cmd, err, out)
			}
			if !json.Valid(out) {
				t.Fatalf("%s\n-> not JSON: %s", cmd, out)
			}
		})
	}
}
