package io.shoal.cli.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Go template subset against what Go's text/template and docker's template functions print for
 * the same template and data (the expected strings were checked with docker 28's CLI on a Docker
 * 20.10 swarm, or follow Go's documented behaviour).
 */
class TemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode ROW = json("""
            {"ID":"rh6yk79udwu5","Name":"web","Mode":"replicated job","Replicas":"3/3","Image":"busybox:latest","Ports":"*:8080->80/tcp"}""");
    private static final JsonNode SERVICE = json("""
            {"ID":"rh6yk79udwu5rrwzgn3by2h19","Version":{"Index":14},
             "Spec":{"Name":"web","Labels":{"tier":"front","a":"1"},
                     "TaskTemplate":{"ContainerSpec":{"Image":"busybox:latest","Args":["httpd","-f","-p","80"]}},
                     "Mode":{"Replicated":{"Replicas":3}}},
             "Endpoint":{"VirtualIPs":[{"NetworkID":"n1","Addr":"10.0.0.3/24"},{"NetworkID":"n2","Addr":"10.30.0.2/24"}]},
             "Ratio":0.15,"Zero":0,"Flag":false,"Nothing":null}""");

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String row(String t) {
        return Template.parse(t, true).render(ROW);
    }

    private static String inspect(String t) {
        return Template.parse(t, false).render(SERVICE);
    }

    @Test
    void fieldsFunctionsAndPipelinesAsDockerPrintsThem() {
        // docker service ls --format '{{.Name | upper}} {{json .Name}} {{join (split .Image ":") "+"}} {{printf "%q" .Mode}}
        //   {{title .Mode}} {{truncate .ID 4}} {{pad .Name 1 1}}|'
        assertEquals("WEB \"web\" busybox+latest \"replicated job\" Replicated Job rh6y  web |",
                row("{{.Name | upper}} {{json .Name}} {{join (split .Image \":\") \"+\"}} {{printf \"%q\" .Mode}} {{title .Mode}} "
                        + "{{truncate .ID 4}} {{pad .Name 1 1}}|"));
        assertEquals("web\t3/3", row("{{.Name}}\t{{.Replicas}}"));
        assertEquals("{\"ID\":\"rh6yk79udwu5\",\"Name\":\"web\",\"Mode\":\"replicated job\",\"Replicas\":\"3/3\",\"Image\":\"busybox:latest\",\"Ports\":\"*:8080->80/tcp\"}",
                row("{{json .}}"));
    }

    @Test
    void nestedFieldsNumbersMapsAndListsPrintAsGo() {
        assertEquals("3", inspect("{{.Spec.Mode.Replicated.Replicas}}"));
        assertEquals("map[a:1 tier:front]", inspect("{{.Spec.Labels}}"));
        assertEquals("[httpd -f -p 80]", inspect("{{.Spec.TaskTemplate.ContainerSpec.Args}}"));
        assertEquals("front", inspect("{{index .Spec.Labels \"tier\"}}"));
        assertEquals("0.15 0 false <nil>", inspect("{{.Ratio}} {{.Zero}} {{.Flag}} {{.Nothing}}"));
        assertEquals("httpd -f -p 80", inspect("{{join .Spec.TaskTemplate.ContainerSpec.Args \" \"}}"));
        assertEquals("{\"Replicated\":{\"Replicas\":3}}", inspect("{{json .Spec.Mode}}"));
    }

    @Test
    void rangeWithIfElseVariablesAndTrimMarkers() {
        assertEquals("10.0.0.3/24,10.30.0.2/24,", inspect("{{range .Endpoint.VirtualIPs}}{{.Addr}},{{end}}"));
        assertEquals("0=n1 1=n2 ", inspect("{{range $i, $v := .Endpoint.VirtualIPs}}{{$i}}={{$v.NetworkID}} {{end}}"));
        assertEquals("a=1;tier=front;", inspect("{{range $k, $v := .Spec.Labels}}{{$k}}={{$v}};{{end}}"));
        assertEquals("none", inspect("{{range .Missing}}x{{else}}none{{end}}"));
        assertEquals("replicated", inspect("{{if .Spec.Mode.Replicated}}replicated{{else if .Spec.Mode.Global}}global{{else}}job{{end}}"));
        assertEquals("web", inspect("{{with .Spec}}{{.Name}}{{end}}"));
        assertEquals("web/web", inspect("{{$n := .Spec.Name}}{{$n}}/{{with .Spec}}{{$n}}{{end}}"));
        assertEquals("a-b", inspect("a {{- /* a comment */ -}} - {{- \"b\"}}"));
        assertEquals("n1", inspect("{{range .Endpoint.VirtualIPs}}{{.NetworkID}}{{break}}{{end}}"));
        assertEquals("n2", inspect("{{range .Endpoint.VirtualIPs}}{{if eq .NetworkID \"n1\"}}{{continue}}{{end}}{{.NetworkID}}{{end}}"));
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", value = {
            "{{eq .Name \"web\" \"db\"}} => true",
            "{{ne .Name \"web\"}} => false",
            "{{lt 1 2}} {{ge 2.5 2}} {{gt \"b\" \"a\"}} => true true true",
            "{{and .Name .Image}} => busybox:latest",
            "{{or \"\" .Name}} => web",
            "{{not .Name}} => false",
            "{{len .Name}} {{len (split .Image \":\")}} => 3 2",
            "{{slice .Image 0 7}} => busybox",
            "{{printf \"%-5s|%3d|%.2f|%v|%t|%x\" .Name 7 0.5 .Name true 255}} => web  |  7|0.50|web|true|ff",
            "{{print .Name 1 2 \"x\"}} => web1 2x",
            "{{println .Name}}x => 'web\nx'",
            "{{lower \"ABC\"}}{{upper \"d\"}} => abcD",
            "{{index (split .Ports \"->\") 1}} => 80/tcp",
            "{{.Name | printf \"<%s>\"}} => <web>",
            "{{'a'}} {{0x10}} {{-3}} {{1e3}} => 97 16 -3 1000",
    })
    void goBuiltinsAndDockerFunctions(String template, String expected) {
        assertEquals(expected, row(template));
    }

    @Test
    void aMissingFieldOfARowIsAnErrorNamingTheFieldsAndEmptyInInspect() {
        // docker: template: :1:2: executing "" at <.Nmae>: can't evaluate field Nmae in type *service.serviceContext
        TemplateException e = assertThrows(TemplateException.class, () -> row("{{.Nmae}}"));
        assertEquals("template: :1:3: executing \"\" at <.Nmae>: map has no entry for key \"Nmae\" "
                + "(it has ID, Image, Mode, Name, Ports, Replicas)", e.getMessage());
        assertEquals("[]", inspect("[{{.Spec.TaskTemplate.ContainerSpec.User}}]"), "Docker's typed objects print an unset field empty");
        assertEquals("", inspect("{{.Spec.Nothing.Deeper}}"));
        assertEquals("no", inspect("{{if .Spec.Mode.Global}}yes{{else}}no{{end}}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{{.Name|template: :1: unclosed action",
            "{{.Name}} {{end}}|template: :1:13: unexpected {{end}}",
            "{{if .Name}}x|template: :1:3: unexpected EOF: {{if}} has no {{end}}",
            "{{foo .Name}}|template: :1:3: function \"foo\" not defined",
            "{{.Name .Image}}|template: :1:9: can't give argument to non-function .Name",
            "{{\"unterminated}}|template: :1: unterminated quoted string",
            "{{break}}|template: :1:3: {{break}} outside {{range}}",
            "{{template \"x\"}}|template: :1:3: {{template}} is not supported in --format",
            "{{/* open|template: :1: unclosed comment",
            "{{)}}|template: :1:3: missing value for command",
    })
    void aMalformedTemplateIsOneLineInGosWords(String template, String message) {
        TemplateException e = assertThrows(TemplateException.class, () -> Template.parse(template, true));
        assertEquals(message, e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void runtimeErrorsSayWhere() {
        assertEquals("template: :1:3: error calling index: can't index item of type string",
                assertThrows(TemplateException.class, () -> row("{{index .Name 1}}")).getMessage());
        assertEquals("template: :1:3: error calling lt: incompatible types for comparison: string and int",
                assertThrows(TemplateException.class, () -> row("{{lt .Name 1}}")).getMessage());
        assertEquals("template: :1:3: undefined variable: $x",
                assertThrows(TemplateException.class, () -> row("{{$x}}")).getMessage());
    }
}
