#!/usr/bin/env python3
"""openapi_gen.py - turns one OpenAPI 3.1 document into C bindings for a service.

For the document openapi/<service>.yaml it writes <prefix>_api.h and
<prefix>_api.c into the build tree:

  * every schema the document uses becomes a static `struct schema` tree that
    shared/schema validates request bodies and parameters against;
  * every operation becomes a `struct http_operation` (method, path, ulfius
    route, security, parameters with their offsets in a typed params struct,
    body schema) and a typed handler prototype
        int <prefix>_handle_<operationId>(struct http_exchange *ex,
                                          const struct <prefix>_<operationId>_params *params,
                                          json_t *body);
    that the service must define: an operation without a handler fails the link;
  * every object schema in components gets a C struct and a JSON encoder
        json_t *<prefix>_<Schema>_to_json(const struct <prefix>_<Schema> *value);
  * <prefix>_api_register() adds the whole route table to the server.

Operations marked `x-asec-handler: builtin` (health, readiness, metrics from
common.yaml) bind to the shared server's own handlers instead.

The generator refuses what it cannot honour faithfully (an unsupported
parameter type, a non-JSON request body, a duplicate operationId), naming the
place in the document, so that the build fails rather than the contract.
It needs only the Python standard library and PyYAML, and no network.
"""

import argparse
import json
import keyword
import os
import re
import sys

import yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

C_KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
    "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
    "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
    "volatile", "while", "bool", "true", "false",
}

FORMATS = {
    "date-time": "SCHEMA_FORMAT_DATE_TIME",
    "date": "SCHEMA_FORMAT_DATE",
    "uuid": "SCHEMA_FORMAT_UUID",
    "ipv4": "SCHEMA_FORMAT_IPV4",
    "uri": "SCHEMA_FORMAT_URI",
}

TYPE_BITS = {
    "null": "SCHEMA_NULL",
    "boolean": "SCHEMA_BOOLEAN",
    "integer": "SCHEMA_INTEGER",
    "number": "SCHEMA_NUMBER",
    "string": "SCHEMA_STRING",
    "array": "SCHEMA_ARRAY",
    "object": "SCHEMA_OBJECT",
}


class SpecError(Exception):
    """A problem in the document, reported with where it is."""


def c_ident(name):
    """A C identifier for an API name: `pagination.limit` -> `pagination_limit`."""
    ident = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not ident or ident[0].isdigit():
        ident = "_" + ident
    if ident in C_KEYWORDS or keyword.iskeyword(ident):
        ident += "_"
    return ident


def c_string(text):
    """A C string literal; json.dumps escapes are valid C escapes for our text."""
    if text is None:
        return "NULL"
    out = json.dumps(text, ensure_ascii=True)
    return out.replace("?", "\\?")  # no trigraphs


class Loader:
    """Loads YAML documents and resolves $ref across files (relative paths)."""

    def __init__(self):
        self.docs = {}

    def load(self, path):
        path = os.path.realpath(path)
        if path not in self.docs:
            try:
                with open(path, encoding="utf-8") as f:
                    self.docs[path] = yaml.safe_load(f)
            except (OSError, yaml.YAMLError) as e:
                raise SpecError(f"{path}: cannot read: {e}")
        return self.docs[path]

    def resolve(self, node, base):
        """Follows $ref chains; returns (node, file it came from, ref name or None)."""
        name = None
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            seen += 1
            if seen > 32:
                raise SpecError(f"{base}: $ref chain too long")
            ref = node["$ref"]
            file_part, _, pointer = ref.partition("#")
            target_file = os.path.realpath(os.path.join(os.path.dirname(base), file_part)) if file_part else base
            doc = self.load(target_file)
            node = doc
            for token in filter(None, pointer.split("/")):
                token = token.replace("~1", "/").replace("~0", "~")
                if not isinstance(node, dict) or token not in node:
                    raise SpecError(f"{base}: $ref {ref} does not resolve")
                node = node[token]
            base = target_file
            name = pointer.rsplit("/", 1)[-1] if pointer.startswith("/components/schemas/") else name
        return node, base, name


class Generator:
    def __init__(self, spec_path, prefix):
        self.prefix = prefix
        self.loader = Loader()
        self.spec_path = os.path.realpath(spec_path)
        self.spec = self.loader.load(self.spec_path)
        if not isinstance(self.spec, dict) or not str(self.spec.get("openapi", "")).startswith("3."):
            raise SpecError(f"{spec_path}: not an OpenAPI 3 document")
        self.schema_ids = {}  # (file, id(node)) -> C name
        self.schema_defs = []  # emitted C definitions of schema nodes, in order
        self.schema_decls = []
        self.counter = 0
        self.struct_order = []  # component schema names that get structs + encoders
        self.structs = {}  # name -> (node, file)

    # ---- schemas -> static struct schema -------------------------------------------------

    def schema_ref(self, node, base, hint):
        """Returns the C name of the static struct schema for node (emitting it once)."""
        node, base, ref_name = self.loader.resolve(node, base)
        if node is True or node == {}:
            node = {}
        if not isinstance(node, dict):
            raise SpecError(f"{base}: schema for {hint} is not an object")
        key = (base, id(node))
        if key in self.schema_ids:
            return self.schema_ids[key]
        self.counter += 1
        cname = f"{self.prefix}_schema_{self.counter}_{c_ident(ref_name or hint)}"[:120]
        self.schema_ids[key] = cname
        self.schema_decls.append(f"static const struct schema {cname};")
        self.emit_schema(cname, node, base, ref_name or hint)
        return cname

    def emit_schema(self, cname, node, base, label):
        fields = [f".name = {c_string(label)}"]
        types = node.get("type")
        if isinstance(types, str):
            types = [types]
        if types:
            for t in types:
                if t not in TYPE_BITS:
                    raise SpecError(f"{base}: schema {label}: unknown type {t}")
            fields.append(".types = " + " | ".join(TYPE_BITS[t] for t in types))
        if node.get("nullable") is True and types:
            fields[-1] += " | SCHEMA_NULL"
        fmt = node.get("format")
        if fmt in FORMATS:
            fields.append(f".format = {FORMATS[fmt]}")
        pre = []
        if "const" in node:
            node = dict(node, enum=[node["const"]])
        if "enum" in node:
            values = [json.dumps(v, separators=(",", ":"), ensure_ascii=False) for v in node["enum"]]
            pre.append(f"static const char *const {cname}_enum[] = {{{', '.join(c_string(v) for v in values)}}};")
            fields.append(f".enum_values = {cname}_enum, .enum_count = {len(values)}")
        for key, has, value in (("minimum", "has_minimum", "minimum"), ("maximum", "has_maximum", "maximum")):
            if key in node:
                fields.append(f".{has} = 1, .{value} = {float(node[key])!r}")
        # OpenAPI 3.1 / JSON Schema 2020-12: exclusiveMinimum is a number.
        for key, has, value, excl in (("exclusiveMinimum", "has_minimum", "minimum", "exclusive_minimum"),
                                      ("exclusiveMaximum", "has_maximum", "maximum", "exclusive_maximum")):
            if isinstance(node.get(key), (int, float)) and not isinstance(node.get(key), bool):
                fields.append(f".{has} = 1, .{value} = {float(node[key])!r}, .{excl} = 1")
        for key, has, value in (("minLength", "has_min_length", "min_length"), ("maxLength", "has_max_length", "max_length"),
                                ("minItems", "has_min_items", "min_items"), ("maxItems", "has_max_items", "max_items"),
                                ("minProperties", "has_min_properties", "min_properties"),
                                ("maxProperties", "has_max_properties", "max_properties")):
            if key in node:
                fields.append(f".{has} = 1, .{value} = {int(node[key])}")
        if "pattern" in node:
            fields.append(f".pattern = {c_string(node['pattern'])}")
        if node.get("uniqueItems") is True:
            fields.append(".unique_items = 1")
        if "items" in node:
            fields.append(f".items = &{self.schema_ref(node['items'], base, label + '_item')}")
        props = node.get("properties") or {}
        if props:
            entries = []
            for pname, pschema in props.items():
                entries.append(f"{{{c_string(pname)}, &{self.schema_ref(pschema, base, label + '_' + pname)}}}")
            pre.append(f"static const struct schema_property {cname}_props[] = {{{', '.join(entries)}}};")
            fields.append(f".properties = {cname}_props, .property_count = {len(props)}")
        required = node.get("required") or []
        if required:
            for r in required:
                if props and r not in props and node.get("additionalProperties") is False:
                    raise SpecError(f"{base}: schema {label}: required {r} is not a property")
            pre.append(f"static const char *const {cname}_required[] = {{{', '.join(c_string(r) for r in required)}}};")
            fields.append(f".required = {cname}_required, .required_count = {len(required)}")
        additional = node.get("additionalProperties", True)
        if additional is False:
            fields.append(".additional = SCHEMA_ADDITIONAL_FORBID")
        elif isinstance(additional, dict) and additional:
            fields.append(".additional = SCHEMA_ADDITIONAL_SCHEMA")
            fields.append(f".additional_schema = &{self.schema_ref(additional, base, label + '_value')}")
        for key, field in (("allOf", "all_of"), ("anyOf", "any_of"), ("oneOf", "one_of")):
            if key in node:
                refs = [f"&{self.schema_ref(s, base, f'{label}_{field}{i}')}" for i, s in enumerate(node[key])]
                pre.append(f"static const struct schema *const {cname}_{field}[] = {{{', '.join(refs)}}};")
                fields.append(f".{field} = {cname}_{field}, .{field}_count = {len(refs)}")
        body = ",\n\t".join(fields)
        self.schema_defs.append("\n".join(pre + [f"static const struct schema {cname} = {{\n\t{body},\n}};"]))

    # ---- component structs and encoders -------------------------------------------------

    def collect_structs(self):
        comps = (self.spec.get("components") or {}).get("schemas") or {}
        for name, node in comps.items():
            self.want_struct(name, node, self.spec_path)

    def want_struct(self, name, node, base):
        node, base, _ = self.loader.resolve(node, base)
        if name in self.structs or not isinstance(node, dict) or node.get("type") != "object" or not node.get("properties"):
            return
        self.structs[name] = (node, base)
        for pname, pschema in node["properties"].items():
            target, tbase, ref = self.loader.resolve(pschema, base)
            if ref:
                self.want_struct(ref, pschema, base)
            elif isinstance(target, dict) and target.get("type") == "array":
                _, _, iref = self.loader.resolve(target.get("items", {}), tbase)
                if iref:
                    self.want_struct(iref, target["items"], tbase)
        self.struct_order.append(name)

    def member_kind(self, pschema, base):
        """How a property is held in a struct: (kind, C declaration pieces)."""
        target, tbase, ref = self.loader.resolve(pschema, base)
        if ref and ref in self.structs:
            return ("struct", ref)
        t = target.get("type") if isinstance(target, dict) else None
        if t in ("string", "integer", "number", "boolean"):
            return (t, None)
        if t == "array":
            items, ibase, iref = self.loader.resolve(target.get("items", {}), tbase)
            if iref and iref in self.structs:
                return ("array_struct", iref)
            it = items.get("type") if isinstance(items, dict) else None
            if it in ("string", "integer"):
                return ("array_" + it, None)
        return ("json", None)

    def emit_struct(self, name, h, c):
        node, base = self.structs[name]
        sname = f"{self.prefix}_{c_ident(name)}"
        required = set(node.get("required") or [])
        members = []
        enc = []
        for pname, pschema in node["properties"].items():
            m = c_ident(pname)
            kind, ref = self.member_kind(pschema, base)
            req = pname in required
            key = c_string(pname)
            missing = f'{{ error_set("{name}.{pname} is required"); goto fail; }}'
            if kind == "string":
                members.append(f"\tconst char *{m};")
                if req:
                    enc.append(f"\tif (!v->{m}) {missing}")
                enc.append(f"\tif (v->{m} && json_object_set_new(o, {key}, json_string(v->{m}))) goto fail;")
            elif kind in ("integer", "number", "boolean"):
                ctype = {"integer": "int64_t", "number": "double", "boolean": "int"}[kind]
                ctor = {"integer": "json_integer", "number": "json_real", "boolean": "json_boolean"}[kind]
                members.append(f"\t{ctype} {m};")
                cond = ""
                if not req:
                    members.append(f"\tint has_{m};")
                    cond = f"v->has_{m} && "
                enc.append(f"\tif ({cond}json_object_set_new(o, {key}, {ctor}(v->{m}))) goto fail;")
            elif kind == "struct":
                sub = f"{self.prefix}_{c_ident(ref)}"
                members.append(f"\tconst struct {sub} *{m};")
                if req:
                    enc.append(f"\tif (!v->{m}) {missing}")
                enc.append(f"\tif (v->{m}) {{ json_t *x = {sub}_to_json(v->{m}); if (!x || json_object_set_new(o, {key}, x)) goto fail; }}")
            elif kind.startswith("array_"):
                if kind == "array_struct":
                    sub = f"{self.prefix}_{c_ident(ref)}"
                    members.append(f"\tconst struct {sub} *{m};")
                    item = f"{sub}_to_json(&v->{m}[i])"
                elif kind == "array_string":
                    members.append(f"\tconst char *const *{m};")
                    item = f"json_string(v->{m}[i])"
                else:
                    members.append(f"\tconst int64_t *{m};")
                    item = f"json_integer(v->{m}[i])"
                members.append(f"\tsize_t {m}_count;")
                cond = "1" if req else f"v->{m}"
                enc.append(f"\tif ({cond}) {{\n\t\tjson_t *a = json_array();\n\t\tif (!a || json_object_set_new(o, {key}, a)) goto fail;\n"
                           f"\t\tfor (size_t i = 0; i < v->{m}_count; i++) {{ json_t *x = {item}; if (!x || json_array_append_new(a, x)) goto fail; }}\n\t}}")
            else:
                members.append(f"\tjson_t *{m}; /* borrowed; encoded as is */")
                if req:
                    enc.append(f"\tif (!v->{m}) {missing}")
                enc.append(f"\tif (v->{m} && json_object_set(o, {key}, v->{m})) goto fail;")
        if not members:
            members.append("\tchar unused_;")
        h.append(f"/* {name} */\nstruct {sname} {{\n" + "\n".join(members) + "\n};")
        h.append(f"json_t *{sname}_to_json(const struct {sname} *v);\n")
        c.append(f"json_t *{sname}_to_json(const struct {sname} *v)\n{{\n\tjson_t *o = json_object();\n\tif (!o) return NULL;\n"
                 + "\n".join(enc) + f"\n\treturn o;\nfail:\n\tjson_decref(o);\n\treturn NULL;\n}}\n")

    # ---- operations ---------------------------------------------------------------------

    def operations(self):
        seen = {}
        ops = []
        paths = self.spec.get("paths") or {}
        for path, item in paths.items():
            item, ibase, _ = self.loader.resolve(item, self.spec_path)
            path_params = item.get("parameters") or []
            for method in METHODS:
                if method not in item:
                    continue
                op = item[method]
                where = f"{method.upper()} {path}"
                op_id = op.get("operationId")
                if not op_id or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", op_id):
                    raise SpecError(f"{self.spec_path}: {where}: operationId missing or not a C-friendly name")
                if op_id in seen:
                    raise SpecError(f"{self.spec_path}: {where}: operationId {op_id} already used by {seen[op_id]}")
                seen[op_id] = where
                ops.append(self.operation(path, method, op, path_params, ibase, where))
        if not ops:
            raise SpecError(f"{self.spec_path}: no operations")
        return ops

    def operation(self, path, method, op, path_params, base, where):
        op_id = op["operationId"]
        params = {}
        for p in list(path_params) + list(op.get("parameters") or []):
            p, pbase, _ = self.loader.resolve(p, base)
            params[(p.get("name"), p.get("in"))] = (p, pbase)
        template_names = re.findall(r"\{([^}]+)\}", path)
        out_params = []
        for (name, loc), (p, pbase) in params.items():
            if loc not in ("path", "query", "header"):
                raise SpecError(f"{self.spec_path}: {where}: parameter {name} in {loc} is not supported")
            schema, sbase, _ = self.loader.resolve(p.get("schema") or {}, pbase)
            ptype = schema.get("type", "string")
            if ptype not in ("string", "integer", "number", "boolean"):
                raise SpecError(f"{self.spec_path}: {where}: parameter {name} of type {ptype} is not supported")
            if loc == "path" and name not in template_names:
                raise SpecError(f"{self.spec_path}: {where}: path parameter {name} is not in the path")
            out_params.append({
                "name": name, "in": loc, "type": ptype,
                "required": bool(p.get("required")) or loc == "path",
                "schema": self.schema_ref(p.get("schema") or {}, pbase, f"{op_id}_{name}"),
                "field": c_ident(name),
            })
        # A path parameter with allowReserved may hold "/" (hash ids such as
        # /v4/containerimage/sha256:...). It must end the path, after a literal
        # prefix; ulfius matches it with a trailing "*" and the server takes the
        # rest of the path as its value.
        greedy = None
        for (name, loc), (p, pbase) in params.items():
            if loc == "path" and p.get("allowReserved"):
                if not path.endswith("{" + name + "}") or path.index("{") != len(path) - len(name) - 2:
                    raise SpecError(f"{self.spec_path}: {where}: allowReserved path parameter {name} must be the only "
                                    f"parameter and end the path")
                greedy = name
        declared = {p["name"] for p in out_params if p["in"] == "path"}
        for t in template_names:
            if t not in declared:
                raise SpecError(f"{self.spec_path}: {where}: path parameter {t} is not declared")
        body = None
        body_required = False
        raw_body = False
        max_body = op.get("x-asec-max-body-bytes", 0)
        if not isinstance(max_body, int) or max_body < 0:
            raise SpecError(f"{self.spec_path}: {where}: x-asec-max-body-bytes must be a byte count")
        if "requestBody" in op:
            rb, rbase, _ = self.loader.resolve(op["requestBody"], base)
            content = rb.get("content") or {}
            if "application/json" in content:
                body = self.schema_ref(content["application/json"].get("schema") or {}, rbase, f"{op_id}_body")
            elif content:
                # A file upload (application/octet-stream, application/zip, ...):
                # the handler gets the bytes; only size and presence are checked.
                raw_body = sorted(content)
            else:
                raise SpecError(f"{self.spec_path}: {where}: request body without a media type")
            body_required = bool(rb.get("required"))
        security = op.get("security", self.spec.get("security") or [])
        auth = set()
        schemes = self.security_schemes()
        for requirement in security:
            for scheme_name in requirement:
                scheme = schemes.get(scheme_name)
                if not scheme:
                    raise SpecError(f"{self.spec_path}: {where}: unknown security scheme {scheme_name}")
                if scheme.get("type") == "mutualTLS":
                    auth.add("HTTP_AUTH_MTLS")
                elif scheme.get("type") == "http" and scheme.get("scheme") == "basic":
                    auth.add("HTTP_AUTH_BASIC")
                elif scheme.get("type") == "http" and scheme.get("scheme") == "bearer":
                    auth.add("HTTP_AUTH_BEARER")
                elif scheme.get("type") == "apiKey" and scheme.get("in") == "cookie":
                    # the service's authenticator reads the cookie (http.h)
                    auth.add("HTTP_AUTH_COOKIE")
                else:
                    raise SpecError(f"{self.spec_path}: {where}: security scheme {scheme_name} is not supported")
        ulfius_path = re.sub(r"\{([^}]+)\}", r":\1", path)
        if greedy:
            ulfius_path = path[:path.index("{")] + "*"
        return {
            "id": op_id, "method": method.upper(), "path": path, "ulfius_path": ulfius_path,
            "priority": len(template_names), "params": out_params, "body": body, "body_required": body_required,
            "auth": sorted(auth), "services": op.get("x-asec-services") or [], "roles": op.get("x-asec-roles") or [],
            "builtin": op.get("x-asec-handler") == "builtin", "greedy": greedy,
            "raw_body": raw_body, "max_body": max_body,
        }

    def security_schemes(self):
        schemes = dict(((self.spec.get("components") or {}).get("securitySchemes") or {}))
        for name, s in list(schemes.items()):
            schemes[name], _, _ = self.loader.resolve(s, self.spec_path)
        return schemes

    # ---- output --------------------------------------------------------------------------

    def generate(self, out_dir):
        ops = self.operations()
        self.collect_structs()
        p = self.prefix
        guard = f"ASEC_GEN_{p.upper()}_API_H"
        h = [f"/* Generated by tools/openapi-gen from {os.path.basename(self.spec_path)}. Do not edit. */",
             f"#ifndef {guard}\n#define {guard}\n", "#include <stddef.h>\n#include <stdint.h>\n#include <jansson.h>\n",
             '#include "http/http.h"\n']
        c = [f"/* Generated by tools/openapi-gen from {os.path.basename(self.spec_path)}. Do not edit. */",
             "#include <stddef.h>\n#include <ulfius.h>\n", f'#include "{p}_api.h"', '#include "error/error.h"\n']
        for name in self.struct_order:
            self.emit_struct(name, h, c)
        op_defs = []
        for op in ops:
            sname = f"{p}_{op['id']}_params"
            if not op["builtin"]:
                fields = []
                for prm in op["params"]:
                    ctype = {"string": "const char *", "integer": "int64_t ", "number": "double ", "boolean": "int "}[prm["type"]]
                    fields.append(f"\t{ctype}{prm['field']}; /* {prm['in']} parameter {prm['name']} */")
                    fields.append(f"\tint has_{prm['field']};")
                if not fields:
                    fields.append("\tchar unused_;")
                h.append(f"/* {op['method']} {op['path']} */\nstruct {sname} {{\n" + "\n".join(fields) + "\n};")
                h.append(f"int {p}_handle_{op['id']}(struct http_exchange *ex, const struct {sname} *params, json_t *body);\n")
                c.append(f"static int {p}_invoke_{op['id']}(struct http_exchange *ex, const void *params, json_t *body)\n{{\n"
                         f"\treturn {p}_handle_{op['id']}(ex, (const struct {sname} *)params, body);\n}}\n")
            pre = []
            if op["params"]:
                entries = []
                for prm in op["params"]:
                    loc = {"path": "HTTP_PARAM_PATH", "query": "HTTP_PARAM_QUERY", "header": "HTTP_PARAM_HEADER"}[prm["in"]]
                    typ = {"string": "HTTP_PARAM_STRING", "integer": "HTTP_PARAM_INTEGER", "number": "HTTP_PARAM_NUMBER",
                           "boolean": "HTTP_PARAM_BOOLEAN"}[prm["type"]]
                    entries.append(f"\t{{{c_string(prm['name'])}, {loc}, {typ}, {int(prm['required'])}, &{prm['schema']}, "
                                   f"offsetof(struct {sname}, {prm['field']}), offsetof(struct {sname}, has_{prm['field']})}},")
                pre.append(f"static const struct http_param {p}_{op['id']}_param_list[] = {{\n" + "\n".join(entries) + "\n};")
            for key in ("services", "roles"):
                if op[key]:
                    pre.append(f"static const char *const {p}_{op['id']}_{key}[] = {{{', '.join(c_string(s) for s in op[key])}}};")
            fields = [
                f".operation_id = {c_string(op['id'])}", f".method = {c_string(op['method'])}",
                f".path = {c_string(op['path'])}", f".ulfius_path = {c_string(op['ulfius_path'])}",
                f".priority = {op['priority']}", ".auth = " + (" | ".join(op["auth"]) or "0"),
            ]
            for key in ("services", "roles"):
                if op[key]:
                    fields.append(f".{key} = {p}_{op['id']}_{key}, .{key[:-1]}_count = {len(op[key])}")
            if op["params"]:
                fields.append(f".params = {p}_{op['id']}_param_list, .param_count = {len(op['params'])}")
            if op["greedy"]:
                fields.append(f".greedy_param = {c_string(op['greedy'])}")
            if not op["builtin"]:
                fields.append(f".params_size = sizeof(struct {sname})")
                fields.append(f".invoke = {p}_invoke_{op['id']}")
            else:
                fields.append(f".invoke = http_builtin_{op['id']}")
            if op["body"]:
                fields.append(f".body_schema = &{op['body']}, .body_required = {int(op['body_required'])}")
            if op["raw_body"]:
                pre.append(f"static const char *const {p}_{op['id']}_media_types[] = {{"
                           f"{', '.join(c_string(t) for t in op['raw_body'])}, NULL}};")
                fields.append(f".raw_body = 1, .body_required = {int(op['body_required'])}, "
                              f".media_types = {p}_{op['id']}_media_types")
            if op["max_body"]:
                fields.append(f".max_body_bytes = {op['max_body']}")
            op_defs.append("\n".join(pre + [f"static const struct http_operation {p}_op_{op['id']} = {{\n\t" + ",\n\t".join(fields) + ",\n};"]))
        h.append(f"/* Adds every operation of the spec to the server's route table. */\nint {p}_api_register(struct http_server *server);\n")
        h.append(f"/* The route table itself, for tools and fuzzers; *count gets its length. */\n"
                 f"const struct http_operation *const *{p}_api_operations(size_t *count);\n")
        h.append(f"/* The number of operations in the spec ({len(ops)}). */\n#define {p.upper()}_API_OPERATION_COUNT {len(ops)}\n")
        h.append(f"#endif /* {guard} */")
        c.append("\n".join(self.schema_decls) + "\n")
        c.append("\n\n".join(self.schema_defs) + "\n")
        c.append("\n\n".join(op_defs) + "\n")
        table = ",\n".join(f"\t&{p}_op_{op['id']}" for op in ops)
        c.append(f"static const struct http_operation *const {p}_operations[] = {{\n{table},\n}};\n")
        c.append(f"const struct http_operation *const *{p}_api_operations(size_t *count)\n{{\n"
                 f"\t*count = sizeof({p}_operations) / sizeof({p}_operations[0]);\n\treturn {p}_operations;\n}}\n")
        c.append(f"int {p}_api_register(struct http_server *server)\n{{\n"
                 f"\tfor (size_t i = 0; i < sizeof({p}_operations) / sizeof({p}_operations[0]); i++) {{\n"
                 f"\t\tint rc = http_server_add_operation(server, {p}_operations[i]);\n"
                 f"\t\tif (rc)\n\t\t\treturn rc;\n\t}}\n\treturn 0;\n}}")
        os.makedirs(out_dir, exist_ok=True)
        for suffix, lines in (("h", h), ("c", c)):
            target = os.path.join(out_dir, f"{p}_api.{suffix}")
            tmp = target + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
            os.replace(tmp, target)
        return ops


def main(argv):
    parser = argparse.ArgumentParser(description="Generate C bindings from an OpenAPI 3.1 document.")
    parser.add_argument("--prefix", required=True, help="C prefix, e.g. central")
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("spec")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", args.prefix):
        print("openapi-gen: --prefix must be a lower-case C identifier", file=sys.stderr)
        return 2
    try:
        Generator(args.spec, args.prefix).generate(args.out_dir)
    except SpecError as e:
        print(f"openapi-gen: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
