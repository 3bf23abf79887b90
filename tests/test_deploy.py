"""deploy/: the Kubernetes manifests and the compose file are valid and keep the bot's rules.

Offline. The kustomization is rendered here the way kustomize does for the features it uses
(resources, namespace, labels, images) and, where `kubectl` is installed, compared with
`kubectl kustomize`. Each object is validated against Kubernetes' own JSON schemas, strict
(unknown fields are errors), vendored in tests/fixtures/k8s-schemas (see vendor.py there); the
KEDA ScaledObject, whose CRD schema is not vendored, against a strict schema written below for
the fields used. Then what the schemas cannot say: the security context of every container,
the probes, resources sized for the analyzers, one PodDisruptionBudget per Deployment, the
Secret referenced and never shipped, KEDA watching the queue's real Redis keys, metrics on
their own port with the scrape annotations and configs pointing at it, and the autoscaling
examples (KEDA's Prometheus trigger, an HPA on an external metric) asking for the bot's real
queue-depth metric.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
import yaml
from saq.queue.redis import RedisQueue

from bot.config import Settings
from bot.metrics import Metrics
from bot.queue.base import LANES
from bot.queue.redis_upkeep import RedisQueueOptions

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
SCHEMAS = ROOT / "tests" / "fixtures" / "k8s-schemas" / "k8s-v1.33-strict.json"
BOT_IMAGE = "review-bot"
BOT_UID = 10001
ANALYZERS_PER_REVIEW = 8  # README, Security model, "Memory for workers"
SECRET_NAME = "review-bot"
SECRET_KEYS = {"github-app.pem", "webhook-secret", "state-secret"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding"}

# KEDA's ScaledObject (keda.sh/v1alpha1), the fields deploy/k8s uses, strict. Written for this
# test from KEDA's documentation (https://keda.sh/docs/latest/reference/scaledobject-spec/ and
# the redis-lists scaler page); KEDA is Apache-2.0.
SCALED_OBJECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "keda.sh/v1alpha1"},
        "kind": {"const": "ScaledObject"},
        "metadata": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "namespace": {"type": "string"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["scaleTargetRef", "triggers"],
            "properties": {
                "scaleTargetRef": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "kind": {"type": "string"},
                        "apiVersion": {"type": "string"},
                    },
                },
                "minReplicaCount": {"type": "integer", "minimum": 0},
                "maxReplicaCount": {"type": "integer", "minimum": 1},
                "pollingInterval": {"type": "integer", "minimum": 1},
                "cooldownPeriod": {"type": "integer", "minimum": 0},
                "triggers": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "oneOf": [
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["type", "metadata"],
                                "properties": {
                                    "type": {"const": "redis"},
                                    "metadata": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "required": ["listName", "listLength"],
                                        "properties": {
                                            "address": {"type": "string", "pattern": r"^[a-z0-9.-]+:[0-9]+$"},
                                            "listName": {"type": "string"},
                                            # KEDA's trigger metadata values are strings
                                            "listLength": {"type": "string", "pattern": "^[1-9][0-9]*$"},
                                            "databaseIndex": {"type": "string", "pattern": "^[0-9]+$"},
                                            "enableTLS": {"enum": ["true", "false"]},
                                        },
                                    },
                                },
                            },
                            {  # the prometheus scaler page
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["type", "metadata"],
                                "properties": {
                                    "type": {"const": "prometheus"},
                                    "metadata": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "required": ["serverAddress", "query", "threshold"],
                                        "properties": {
                                            "serverAddress": {"type": "string", "pattern": "^https?://"},
                                            "query": {"type": "string"},
                                            "threshold": {
                                                "type": "string",
                                                "pattern": r"^[0-9]+(\.[0-9]+)?$",
                                            },
                                            "activationThreshold": {
                                                "type": "string",
                                                "pattern": r"^[0-9]+(\.[0-9]+)?$",
                                            },
                                        },
                                    },
                                },
                            },
                        ]
                    },
                },
            },
        },
    },
}


# --- rendering --------------------------------------------------------------------------------
def kustomization() -> dict[str, Any]:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


def render() -> list[dict[str, Any]]:
    """The kustomization's output, for the fields it uses (as kustomize 5 applies them)."""
    kust = kustomization()
    assert set(kust) <= {"apiVersion", "kind", "namespace", "labels", "resources", "images"}, (
        "the kustomization uses a feature this test does not render: extend render()"
    )
    images = {i["name"]: f"{i.get('newName', i['name'])}:{i['newTag']}" for i in kust.get("images", [])}
    objects = []
    for resource in kust["resources"]:
        for obj in yaml.safe_load_all((K8S / resource).read_text()):
            if obj is None:
                continue
            obj = copy.deepcopy(obj)
            meta = obj["metadata"]
            if "namespace" in kust and obj["kind"] not in CLUSTER_SCOPED:
                meta["namespace"] = kust["namespace"]
            for entry in kust.get("labels", []):
                meta.setdefault("labels", {}).update(entry["pairs"])
            for container in containers(obj):
                if container["image"] in images:
                    container["image"] = images[container["image"]]
            objects.append(obj)
    return objects


def pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    if obj["kind"] in ("Deployment", "StatefulSet"):
        return obj["spec"]["template"]["spec"]
    return None


def containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    spec = pod_spec(obj)
    return [] if spec is None else spec.get("initContainers", []) + spec["containers"]


def by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def bot_containers(objects: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (o["metadata"]["name"], c)
        for o in objects
        for c in containers(o)
        if c["image"].split(":")[0].rsplit("/", 1)[-1] == BOT_IMAGE
    ]


def service_config() -> Settings:
    """The ConfigMap's service YAML, through the bot's own loader (REVIEW_BOT_CONFIG)."""
    (configmap,) = by_kind(render(), "ConfigMap").values()
    return settings_from(configmap["data"]["config.yaml"])


def settings_from(text: str) -> Settings:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.yaml"
        path.write_text(text)
        return Settings().with_yaml(path)


def parse_quantity(value: str) -> int:
    """A Kubernetes memory quantity in bytes (the suffixes used here)."""
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 10**3, "M": 10**6, "G": 10**9}
    for suffix, factor in units.items():
        if value.endswith(suffix):
            return int(value[: -len(suffix)]) * factor
    return int(value)


# --- the schemas ------------------------------------------------------------------------------
def validator_for(obj: dict[str, Any]) -> jsonschema.protocols.Validator:
    if obj["kind"] == "ScaledObject":
        return jsonschema.Draft202012Validator(SCALED_OBJECT_SCHEMA)
    bundle = json.loads(SCHEMAS.read_text())
    key = f"kind:{obj['apiVersion']}/{obj['kind']}"
    assert key in bundle["$defs"], f"{key}: no vendored schema (add it to vendor.py's KINDS)"
    pointer = key.replace("~", "~0").replace("/", "~1")
    schema = {"$schema": bundle["$schema"], "$defs": bundle["$defs"], "$ref": f"#/$defs/{pointer}"}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def schema_errors(obj: dict[str, Any]) -> list[str]:
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in validator_for(obj).iter_errors(obj)
    ]


def test_every_object_is_valid_against_the_kubernetes_schemas() -> None:
    objects = render()
    assert {o["kind"] for o in objects} >= {
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "StatefulSet",
        "ConfigMap",
        "ScaledObject",
    }
    for obj in objects:
        assert schema_errors(obj) == [], f"{obj['kind']}/{obj['metadata']['name']}"


def test_the_schemas_are_strict() -> None:
    """A misspelt field is an error: the validation above is not vacuous."""
    deployment = copy.deepcopy(by_kind(render(), "Deployment")["review-bot-worker"])
    deployment["spec"]["replica"] = 2
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFs"] = True
    errors = schema_errors(deployment)
    assert any("replica" in e for e in errors) and any("readOnlyRootFs" in e for e in errors), errors
    scaled = copy.deepcopy(by_kind(render(), "ScaledObject")["review-bot-worker"])
    scaled["spec"]["triggers"][0]["metadata"]["listLength"] = 2
    assert schema_errors(scaled)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_render_matches_kubectl_kustomize() -> None:
    done = subprocess.run(
        ["kubectl", "kustomize", str(K8S)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "KUBECONFIG": os.devnull},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = [o for o in yaml.safe_load_all(done.stdout) if o]

    def key(o: dict[str, Any]) -> tuple[str, str]:
        return (o["kind"], o["metadata"]["name"])

    assert sorted(map(key, theirs)) == sorted(map(key, render()))
    ours = {key(o): o for o in render()}
    for obj in theirs:
        assert obj == ours[key(obj)], key(obj)


# --- what the schemas cannot say ----------------------------------------------------------------
def test_every_container_runs_unprivileged_on_a_read_only_root() -> None:
    objects = render()
    assert bot_containers(objects), "no container runs the bot's image"
    for obj in objects:
        spec = pod_spec(obj)
        if spec is None:
            continue
        name = obj["metadata"]["name"]
        assert spec.get("automountServiceAccountToken") is False, name
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        tmp_volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for container in containers(obj):
            where = f"{name}/{container['name']}"
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True, where
            assert context["runAsUser"] > 0, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["capabilities"] == {"drop": ["ALL"]}, where
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}, where
            assert "privileged" not in context or context["privileged"] is False, where
            # The one writable place: an emptyDir on /tmp.
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            assert mounts.get("/tmp") in tmp_volumes, where
    for where, container in bot_containers(objects):
        assert container["securityContext"]["runAsUser"] == BOT_UID, where
        assert container["securityContext"]["runAsGroup"] == BOT_UID, where


def test_every_container_has_requests_and_limits() -> None:
    for obj in render():
        for container in containers(obj):
            resources = container["resources"]
            for part in ("requests", "limits"):
                assert set(resources[part]) >= {"cpu", "memory"}, (obj["metadata"]["name"], part)
            assert parse_quantity(resources["requests"]["memory"]) <= parse_quantity(
                resources["limits"]["memory"]
            )


def test_workers_have_memory_for_every_analyzer_of_their_reviews() -> None:
    """README, "Memory for workers": analyzer_memory_mb for each of the 8 analyzers a running
    review may start, times the reviews run at once (server.workers), plus the worker itself."""
    settings = service_config()
    worker = by_kind(render(), "Deployment")["review-bot-worker"]
    (container,) = worker["spec"]["template"]["spec"]["containers"]
    needed = ANALYZERS_PER_REVIEW * settings.review.analyzer_memory_mb * settings.workers * 2**20
    limit = parse_quantity(container["resources"]["limits"]["memory"])
    assert limit >= needed + 256 * 2**20, (limit, needed)
    # SIGTERM: the running review's grace ends before Kubernetes kills the pod.
    assert worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > settings.shutdown_grace


def test_probes_ask_health_and_ready_on_a_declared_port() -> None:
    deployments = by_kind(render(), "Deployment")
    assert set(deployments) == {"review-bot-receiver", "review-bot-worker"}
    roles = {"review-bot-receiver": ["serve"], "review-bot-worker": ["worker"]}
    for name, deployment in deployments.items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["args"] == roles[name]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert container["livenessProbe"]["httpGet"]["path"] == "/health", name
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready", name
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            port = container[probe]["httpGet"]["port"]
            assert port in ports or port in ports.values(), (name, probe)
        env = {e["name"]: e for e in container["env"]}
        # `serve` answers /health on PORT; `worker` on METRICS_PORT when set (bot/cli.py), else PORT.
        served = env["METRICS_PORT"] if name == "review-bot-worker" and "METRICS_PORT" in env else env["PORT"]
        assert int(served["value"]) in ports.values(), name
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            port = container[probe]["httpGet"]["port"]
            assert ports.get(port, port) == int(served["value"]), (name, probe)
        assert env["REDIS_URL"]["value"].startswith("redis://"), name


def test_a_disruption_budget_for_every_deployment() -> None:
    objects = render()
    budgets = by_kind(objects, "PodDisruptionBudget").values()
    for name, deployment in by_kind(objects, "Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        matching = [b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= labels.items()]
        assert len(matching) == 1, name
        assert matching[0]["spec"]["minAvailable"] < deployment["spec"]["replicas"], name


def test_the_service_and_the_autoscalers_target_the_right_pods() -> None:
    objects = render()
    deployments = by_kind(objects, "Deployment")
    receiver = deployments["review-bot-receiver"]
    service = by_kind(objects, "Service")["review-bot-receiver"]
    labels = receiver["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    worker_labels = deployments["review-bot-worker"]["spec"]["template"]["metadata"]["labels"]
    assert not service["spec"]["selector"].items() <= worker_labels.items(), "workers take no webhooks"
    ports = receiver["spec"]["template"]["spec"]["containers"][0]["ports"]
    (port,) = [p for p in ports if p["name"] == "http"]
    assert [p["targetPort"] for p in service["spec"]["ports"]] in ([port["name"]], [port["containerPort"]])

    (hpa,) = by_kind(objects, "HorizontalPodAutoscaler").values()
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "review-bot-receiver",
    }
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert hpa["spec"]["minReplicas"] >= 2

    (scaled,) = by_kind(objects, "ScaledObject").values()
    assert scaled["spec"]["scaleTargetRef"]["name"] == "review-bot-worker"
    assert scaled["spec"]["minReplicaCount"] >= 1


def test_keda_watches_the_queue_lists_the_bot_uses() -> None:
    """One trigger per saq lane, named as saq names its list of waiting jobs."""
    prefix = RedisQueueOptions().prefix
    expected = {RedisQueue.namespace(SimpleNamespace(name=f"{prefix}-{lane}"), "queued") for lane in LANES}
    (scaled,) = by_kind(render(), "ScaledObject").values()
    triggers = scaled["spec"]["triggers"]
    assert {t["metadata"]["listName"] for t in triggers} == expected
    # The address is the Redis Service, by a name resolvable from KEDA's own namespace.
    redis = by_kind(render(), "Service")["review-bot-redis"]
    meta = redis["metadata"]
    host = f"{meta['name']}.{meta['namespace']}.svc:{redis['spec']['ports'][0]['port']}"
    assert {t["metadata"]["address"] for t in triggers} == {host}


def test_secrets_are_referenced_never_shipped() -> None:
    objects = render()
    assert not by_kind(objects, "Secret"), "secret values do not belong in deploy/"
    for where, container in bot_containers(objects):
        env = {e["name"]: e for e in container["env"]}
        for name in ("GITHUB_WEBHOOK_SECRET", "STATE_SECRET"):
            ref = env[name]["valueFrom"]["secretKeyRef"]
            assert ref["name"] == SECRET_NAME and ref["key"] in SECRET_KEYS, where
            assert "value" not in env[name], where
        assert "GITHUB_PRIVATE_KEY" not in env, where
        # The key is a file, mounted from the Secret.
        key_path = Path(env["GITHUB_PRIVATE_KEY_PATH"]["value"])
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert mounts.get(str(key_path.parent)) == "secrets", where
    for obj in objects:
        spec = pod_spec(obj)
        for volume in spec["volumes"] if spec else []:
            if "secret" in volume:
                assert volume["secret"]["secretName"] == SECRET_NAME
                assert {i["key"] for i in volume["secret"]["items"]} <= SECRET_KEYS
                assert volume["secret"]["defaultMode"] & 0o007 == 0, "not readable by others"


def test_the_service_yaml_is_valid_for_the_bot() -> None:
    settings = service_config()
    assert settings.workers == 1
    compose_settings = settings_from((DEPLOY / "review-bot.yaml").read_text())
    assert compose_settings == settings, "deploy/review-bot.yaml and configmap.yaml differ"


# --- compose ----------------------------------------------------------------------------------
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_redis_two_receivers_and_two_workers_locked_down() -> None:
    data = compose()
    services = data["services"]
    assert set(services) == {"redis", "receiver-1", "receiver-2", "worker-1", "worker-2", "prometheus"}
    assert services["prometheus"]["profiles"] == ["monitoring"], "Prometheus only when asked for"
    roles = {"receiver-1": "serve", "receiver-2": "serve", "worker-1": "worker", "worker-2": "worker"}
    for name, role in roles.items():
        service = services[name]
        assert service["command"] == [role], name
        assert service["read_only"] is True, name
        assert service["user"] == f"{BOT_UID}:{BOT_UID}", name
        assert any(t.split(":")[0] == "/tmp" for t in service["tmpfs"]), name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        # /health where the role serves it: PORT for `serve`, METRICS_PORT for `worker` (bot/cli.py)
        port = service["environment"]["METRICS_PORT" if role == "worker" else "PORT"]
        assert f"127.0.0.1:{port}/health" in " ".join(service["healthcheck"]["test"]), name
        assert service["depends_on"]["redis"]["condition"] == "service_healthy", name
        env = service["environment"]
        assert env["REDIS_URL"].startswith("redis://redis:"), name
        assert env["GITHUB_PRIVATE_KEY_PATH"] == "/run/secrets/github_app_key", name
        assert set(service["secrets"]) == {"github_app_key", "github_webhook_secret", "state_secret"}
        assert not {"GITHUB_WEBHOOK_SECRET", "STATE_SECRET", "GITHUB_PRIVATE_KEY"} & set(env), name
        # The secrets the bot reads from its environment come from their files at start.
        script = service["entrypoint"][2]
        for secret in ("github_webhook_secret", "state_secret"):
            assert f"/run/secrets/{secret}" in script, name
        assert "ports" not in service, f"{name}: published; a reverse proxy goes in front"
    assert all("file" in s for s in data["secrets"].values())
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "ports" not in services["redis"]
    assert data["networks"]["back"]["internal"] is True


def test_compose_workers_have_memory_for_their_analyzers() -> None:
    settings = settings_from((DEPLOY / "review-bot.yaml").read_text())
    needed = ANALYZERS_PER_REVIEW * settings.review.analyzer_memory_mb * settings.workers
    for name in ("worker-1", "worker-2"):
        limit = compose()["services"][name]["mem_limit"]
        assert limit.endswith("m") and int(limit[:-1]) >= needed + 256, (name, limit)
        grace = compose()["services"][name]["stop_grace_period"]
        assert int(grace.rstrip("s")) > settings.shutdown_grace


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        done = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30, check=False)
        if done.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_file_is_accepted_by_compose(tmp_path: Path) -> None:
    """Compose's own schema check (`config -q`), offline: it needs no engine. Skips without a
    compose command, unless COMPOSE_REQUIRED=1 (CI, which installs Debian's docker-compose)."""
    if compose_command() is None:
        missing = "neither `docker compose` nor docker-compose is installed"
        if os.environ.get("COMPOSE_REQUIRED") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    env = {**os.environ, "GITHUB_APP_ID": "123456"}
    for name in ("GITHUB_APP_KEY_FILE", "GITHUB_WEBHOOK_SECRET_FILE", "STATE_SECRET_FILE"):
        env[name] = str(tmp_path / name)
        (tmp_path / name).write_text("not a secret")
    project = ["-p", "review-bot-test", "-f", str(DEPLOY / "compose.yaml")]
    command = [*(compose_command() or []), *project, "config", "-q"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


# --- metrics: their own port, scraped, and what the autoscaling examples ask for ----------------
PROMETHEUS = DEPLOY / "prometheus"
EXAMPLES = K8S / "examples"
QUEUE_DEPTH = "review_bot_queue_depth"


def test_metrics_are_served_on_their_own_port_and_annotated_for_scraping() -> None:
    objects = render()
    service_ports = {
        p["targetPort"] for s in by_kind(objects, "Service").values() for p in s["spec"]["ports"]
    }
    for name, deployment in by_kind(objects, "Deployment").items():
        template = deployment["spec"]["template"]
        (container,) = template["spec"]["containers"]
        env = {e["name"]: e.get("value") for e in container["env"]}
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        metrics_port = int(env["METRICS_PORT"])
        assert ports["metrics"] == metrics_port, name
        assert env.get("PORT") is None or int(env["PORT"]) != metrics_port, f"{name}: not the webhook port"
        annotations = template["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true", name
        assert annotations["prometheus.io/port"] == str(metrics_port), name
        assert annotations["prometheus.io/path"] == "/metrics", name
        assert not {"metrics", metrics_port} & service_ports, f"{name}: metrics must not reach the Service"


def test_the_kubernetes_scrape_job_keeps_the_annotated_pods_of_the_bots_namespace() -> None:
    (job,) = yaml.safe_load((PROMETHEUS / "kubernetes.yml").read_text())["scrape_configs"]
    (discovery,) = job["kubernetes_sd_configs"]
    assert discovery["role"] == "pod"
    assert discovery["namespaces"]["names"] == [kustomization()["namespace"]]
    relabel = {tuple(r["source_labels"]): r for r in job["relabel_configs"]}
    keep = relabel[("__meta_kubernetes_pod_annotation_prometheus_io_scrape",)]
    assert (keep["action"], keep["regex"]) == ("keep", "true")
    assert (
        relabel[("__meta_kubernetes_pod_annotation_prometheus_io_path",)]["target_label"]
        == "__metrics_path__"
    )
    address = relabel[("__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port")]
    assert address["target_label"] == "__address__"
    # The regex rewrites a pod address to the annotated port, the way Prometheus joins the labels.
    match = re.fullmatch(address["regex"], "10.1.2.3:8080;9102")
    assert match and match.expand(address["replacement"].replace("$", "\\")) == "10.1.2.3:9102"
    assert relabel[("__meta_kubernetes_namespace",)]["target_label"] == "namespace"


def test_the_compose_prometheus_scrapes_every_bot_container_on_its_metrics_port() -> None:
    services = compose()["services"]
    config = yaml.safe_load((PROMETHEUS / "compose.yml").read_text())
    (job,) = config["scrape_configs"]
    targets = {t for group in job["static_configs"] for t in group["targets"]}
    bots = {name for name, s in services.items() if s.get("command") in (["serve"], ["worker"])}
    assert targets == {f"{name}:{services[name]['environment']['METRICS_PORT']}" for name in bots}
    mounted = {v.split(":")[0] for v in services["prometheus"]["volumes"]}
    assert "./prometheus/compose.yml" in mounted
    assert all(p.startswith("127.0.0.1:") for p in services["prometheus"]["ports"]), "loopback only"
    assert services["prometheus"]["read_only"] is True and services["prometheus"]["cap_drop"] == ["ALL"]


def queue_depth_metric() -> tuple[str, list[str]]:
    """The queue-depth gauge as the bot registers it: its name and labels."""
    gauge = Metrics().queue_depth
    return gauge._name, list(gauge._labelnames)


def test_the_autoscaling_examples_are_valid_and_ask_for_the_bots_queue_depth() -> None:
    name, labels = queue_depth_metric()
    assert name == QUEUE_DEPTH and labels == ["priority"]
    namespace = kustomization()["namespace"]
    worker = by_kind(render(), "Deployment")["review-bot-worker"]
    (scaled,) = yaml.safe_load_all((EXAMPLES / "worker-scaledobject-prometheus.yaml").read_text())
    assert schema_errors(scaled) == []
    assert scaled["spec"]["scaleTargetRef"]["name"] == worker["metadata"]["name"]
    (trigger,) = scaled["spec"]["triggers"]
    query = trigger["metadata"]["query"]
    # Every process reports the same depth: the largest report per lane, the lanes added up.
    assert query == f'sum(max by (priority) ({QUEUE_DEPTH}{{namespace="{namespace}"}}))'
    (hpa,) = yaml.safe_load_all((EXAMPLES / "worker-hpa-external.yaml").read_text())
    assert schema_errors(hpa) == []
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "review-bot-worker",
    }
    (metric,) = hpa["spec"]["metrics"]
    assert metric["external"]["metric"]["name"] == QUEUE_DEPTH
    # Only one of the three scales the workers at a time; the examples are not in the kustomization.
    assert not {f"examples/{f.name}" for f in EXAMPLES.iterdir()} & set(kustomization()["resources"])
