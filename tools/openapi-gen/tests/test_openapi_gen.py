"""Tests of the OpenAPI -> C generator's own decisions (what it refuses, what it
emits). That the emitted C compiles and behaves is tested by shared/http's
http_test, which is built from testapi.yaml."""

import os
import re
import sys
import tempfile
import textwrap
import unittest

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import openapi_gen  # noqa: E402


def spec(paths, schemas=None):
    """An OpenAPI document from YAML text for its paths (and component schemas)."""
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "components": {"securitySchemes": {"basicAuth": {"type": "http", "scheme": "basic"},
                                           "mutualTLS": {"type": "mutualTLS"}}},
        "paths": yaml.safe_load(textwrap.dedent(paths)),
    }
    if schemas:
        doc["components"]["schemas"] = yaml.safe_load(textwrap.dedent(schemas))
    return yaml.safe_dump(doc, sort_keys=False)


class GeneratorTest(unittest.TestCase):
    def generate(self, text, prefix="t"):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "api.yaml")
            with open(path, "w") as f:
                f.write(text)
            out = os.path.join(d, "out")
            openapi_gen.Generator(path, prefix).generate(out)
            with open(os.path.join(out, f"{prefix}_api.h")) as h, open(os.path.join(out, f"{prefix}_api.c")) as c:
                return h.read(), c.read()

    def assertRefused(self, text, message):
        with self.assertRaises(openapi_gen.SpecError) as ctx:
            self.generate(text)
        self.assertRegex(str(ctx.exception), message)

    def test_refuses_missing_operation_id(self):
        self.assertRefused(spec("""
            /a:
              get: {responses: {'200': {description: ok}}}
            """), r"GET /a: operationId missing")

    def test_refuses_duplicate_operation_id(self):
        self.assertRefused(spec("""
            /a:
              get: {operationId: same, responses: {'200': {description: ok}}}
            /b:
              get: {operationId: same, responses: {'200': {description: ok}}}
            """), r"operationId same already used by GET /a")

    def test_refuses_array_parameters(self):
        self.assertRefused(spec("""
            /a:
              get:
                operationId: a
                parameters: [{name: ids, in: query, schema: {type: array, items: {type: string}}}]
                responses: {'200': {description: ok}}
            """), r"parameter ids of type array is not supported")

    def test_refuses_undeclared_path_parameter(self):
        self.assertRefused(spec("""
            /a/{id}:
              get: {operationId: a, responses: {'200': {description: ok}}}
            """), r"path parameter id is not declared")

    def test_refuses_body_without_media_type(self):
        self.assertRefused(spec("""
            /a:
              post:
                operationId: a
                requestBody: {content: {}}
                responses: {'200': {description: ok}}
            """), r"request body without a media type")

    def test_upload_body_keeps_its_media_types_and_limit(self):
        h, c = self.generate(spec("""
            /a:
              post:
                operationId: upload
                x-asec-max-body-bytes: 4096
                requestBody: {required: true, content: {application/zip: {schema: {type: string}}, application/octet-stream: {schema: {type: string}}}}
                responses: {'200': {description: ok}}
            """))
        self.assertIn('static const char *const t_upload_media_types[] = {"application/octet-stream", "application/zip", NULL};', c)
        self.assertRegex(c, r"\.raw_body = 1, \.body_required = 1, \.media_types = t_upload_media_types,\s*\.max_body_bytes = 4096")
        self.assertNotIn(".body_schema", c)

    def test_refuses_bad_body_limit(self):
        self.assertRefused(spec("""
            /a:
              post:
                operationId: a
                x-asec-max-body-bytes: lots
                requestBody: {content: {application/octet-stream: {schema: {type: string}}}}
                responses: {'200': {description: ok}}
            """), r"x-asec-max-body-bytes must be a byte count")

    def test_refuses_unknown_security_scheme(self):
        self.assertRefused(spec("""
            /a:
              get: {operationId: a, security: [{apiKey: []}], responses: {'200': {description: ok}}}
            """), r"unknown security scheme apiKey")

    def test_refuses_dangling_ref(self):
        self.assertRefused(spec("""
            /a:
              post:
                operationId: a
                requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Nope'}}}}
                responses: {'200': {description: ok}}
            """), r"does not resolve")

    def test_routes_security_and_priorities(self):
        h, c = self.generate(spec("""
            /v1/things/{id}:
              get:
                operationId: getThing
                security: [{mutualTLS: []}]
                x-asec-services: [SENSOR_SERVICE]
                parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
                responses: {'200': {description: ok}}
            /v1/things/count:
              get: {operationId: countThings, security: [], responses: {'200': {description: ok}}}
            /v1/things:
              post:
                operationId: addThing
                security: [{basicAuth: []}]
                requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
                responses: {'200': {description: ok}}
            """, schemas="""
                Thing:
                  type: object
                  additionalProperties: false
                  required: [name]
                  properties:
                    name: {type: string, maxLength: 5}
                    size: {type: integer}
            """))
        self.assertIn("int t_handle_getThing(struct http_exchange *ex, const struct t_getThing_params *params, json_t *body);", h)
        self.assertIn("int64_t id; /* path parameter id */", h)
        self.assertRegex(c, r'\.ulfius_path = "/v1/things/:id",\s*\.priority = 1')
        self.assertRegex(c, r'\.ulfius_path = "/v1/things/count",\s*\.priority = 0')
        self.assertRegex(c, r'\.auth = HTTP_AUTH_MTLS,\s*\.services = t_getThing_services, \.service_count = 1')
        self.assertIn('static const char *const t_getThing_services[] = {"SENSOR_SERVICE"};', c)
        self.assertRegex(c, r"\.auth = 0,")
        self.assertRegex(c, r"\.body_schema = &t_schema_\d+_Thing, \.body_required = 1")
        self.assertIn(".additional = SCHEMA_ADDITIONAL_FORBID", c)
        self.assertIn(".has_max_length = 1, .max_length = 5", c)
        # Thing gets a struct and an encoder; optional integers carry a presence flag.
        self.assertIn("struct t_Thing {\n\tconst char *name;\n\tint64_t size;\n\tint has_size;\n};", h)
        self.assertIn('if (!v->name) { error_set("Thing.name is required"); goto fail; }', c)

    def test_builtin_operations_bind_to_the_server(self):
        repo = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
        with open(os.path.join(repo, "openapi", "central.yaml")) as f:
            text = f.read().replace("./common.yaml", os.path.join(repo, "openapi", "common.yaml"))
        h, c = self.generate(text, prefix="central")
        self.assertIn(".invoke = http_builtin_getHealthz", c)
        self.assertNotIn("central_handle_getHealthz", h)
        self.assertIn("central_handle_getPing", h)

    def test_generated_files_only_name_the_prefix(self):
        h, c = self.generate(spec("""
            /a:
              get: {operationId: a, responses: {'200': {description: ok}}}
            """), prefix="svc")
        for ident in re.findall(r"\b(\w+)_op_\w+\b", c):
            self.assertEqual(ident, "svc")


if __name__ == "__main__":
    unittest.main()
