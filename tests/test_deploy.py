"""The production deployment in deploy/: the instance config loads for real (storage on a real
PostgreSQL through dagster-postgres, the Kubernetes run launcher, the run queue and its limits),
the Helm values agree with it, and the job takes the executor each setting names."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipelines.db import sqlalchemy_url

ROOT = Path(__file__).resolve().parents[1]
KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "https://127.0.0.1:6443"}}]
contexts: [{name: test, context: {cluster: test, user: test, namespace: lindungi}}]
current-context: test
users: [{name: test, user: {token: test}}]
"""


def test_production_instance_loads_on_postgres(pg_dsn, tmp_path, monkeypatch):
    pytest.importorskip("dagster_k8s", reason="the k8s extra is part of the test install")
    import dagster as dg
    from dagster._core.run_coordinator import QueuedRunCoordinator
    from dagster_k8s import K8sRunLauncher
    from dagster_postgres import PostgresRunStorage

    cfg = yaml.safe_load((ROOT / "deploy" / "dagster.yaml").read_text())
    # the only change: outside a cluster, read a kubeconfig instead of the in-cluster token
    cfg["run_launcher"]["config"].update(load_incluster_config=False, kubeconfig_file=str(tmp_path / "kubeconfig"))
    (tmp_path / "kubeconfig").write_text(KUBECONFIG)
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump(cfg))
    monkeypatch.setenv("DAGSTER_PG_URL", sqlalchemy_url(pg_dsn))
    monkeypatch.setenv("LINDUNGI_IMAGE", "registry.example/lindungi:test")

    instance = dg.DagsterInstance.from_config(str(home))
    try:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        launcher = instance.run_launcher
        assert isinstance(launcher, K8sRunLauncher)
        assert launcher.job_namespace == "lindungi" and launcher.job_image == "registry.example/lindungi:test"
        limits = {lim["key"]: lim for lim in instance.get_concurrency_config().run_queue_config.tag_concurrency_limits}
        for key in ("lindungi/region", "dagster/partition"):  # the second also bounds UI backfills
            assert limits[key]["limit"] == 1 and limits[key]["value"] == {"applyLimitPerUniqueValue": True}
        # storage is real: a run written through it is read back from PostgreSQL
        run = instance.create_run_for_job(dg.GraphDefinition("probe").to_job(), run_id=None)
        assert instance.get_run_by_id(run.run_id).job_name == "probe"
    finally:
        instance.dispose()


def test_helm_values_agree_with_instance_config():
    values = yaml.safe_load((ROOT / "deploy" / "helm" / "values.yaml").read_text())
    cfg = yaml.safe_load((ROOT / "deploy" / "dagster.yaml").read_text())
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert launcher["jobNamespace"] == cfg["run_launcher"]["config"]["job_namespace"]
    assert launcher["envConfigMaps"][0]["name"] == cfg["run_launcher"]["config"]["env_config_maps"][0]
    queued = values["dagsterDaemon"]["runCoordinator"]
    assert queued["enabled"] and queued["type"] == "QueuedRunCoordinator"
    # every limit in the chart's `concurrency` block, none under the coordinator (both at once are
    # refused); the pool limit too, which the coordinator's values cannot carry (it was unlimited)
    # (blockOpConcurrencyLimitedRuns too: the chart renders it whenever set, and Dagster refuses
    # its slot buffer beside `concurrency`, a refusal `helm install` does not make)
    assert not {"maxConcurrentRuns", "tagConcurrencyLimits", "blockOpConcurrencyLimitedRuns"} & set(
        queued["config"]["queuedRunCoordinator"] or {})
    # fields the chart renders from defaults of its own when the values leave them out (the pull
    # policy's is Always)
    assert launcher["imagePullPolicy"] == cfg["run_launcher"]["config"]["image_pull_policy"]
    mon, retries = values["dagsterDaemon"]["runMonitoring"], values["dagsterDaemon"]["runRetries"]
    assert (mon["startTimeoutSeconds"], mon["maxResumeRunAttempts"]) == (
        cfg["run_monitoring"]["start_timeout_seconds"], cfg["run_monitoring"]["max_resume_run_attempts"])
    assert retries["maxRetries"] == cfg["run_retries"]["max_retries"]
    conc = values["concurrency"]
    assert conc["enabled"] is True
    assert conc["pools"]["defaultLimit"] == cfg["concurrency"]["pools"]["default_limit"]
    assert conc["runs"]["maxConcurrentRuns"] == cfg["concurrency"]["runs"]["max_concurrent_runs"]
    limits = {lim["key"]: lim for lim in conc["runs"]["tagConcurrencyLimits"]}
    assert limits == {lim["key"]: lim for lim in cfg["concurrency"]["runs"]["tag_concurrency_limits"]}
    code = values["dagster-user-deployments"]["deployments"][0]
    assert code["dagsterApiGrpcArgs"] == ["-m", "dagster_project.definitions"]
    env = {e["name"]: e.get("value") for e in code["env"]}
    assert env["LINDUNGI_EXECUTOR"] == "k8s"
    assert values["postgresql"]["enabled"] is False   # the shared instance, not a chart-made one


def test_run_pods_get_the_run_launcher_s_resources():
    """An outside review: the code location's `resources` (its gRPC server's 500m / 1Gi), which the
    chart passes into the container context of the runs it launches (includeConfigInLaunchedRuns,
    on by default), were merged over the run launcher's by dagster-k8s: run pods requested 1 GiB
    and could use 16. The context is built as the chart's k8sContainerContext helper builds it."""
    from dagster_k8s.container_context import K8sContainerContext

    values = yaml.safe_load((ROOT / "deploy" / "helm" / "values.yaml").read_text())
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    code = values["dagster-user-deployments"]["deployments"][0]
    assert code.get("includeConfigInLaunchedRuns", {"enabled": True})["enabled"]
    from_code = {"image_pull_policy": code["image"]["pullPolicy"], "namespace": launcher["jobNamespace"],
                 "env_config_maps": [m["name"] for m in code["envConfigMaps"]],
                 **({"resources": code["resources"]} if code.get("resources") else {})}
    merged = K8sContainerContext(namespace=launcher["jobNamespace"], resources=launcher["resources"]).merge(
        K8sContainerContext.create_from_config({"k8s": from_code}))
    assert merged.run_k8s_config.container_config.get("resources") == launcher["resources"] == {
        "requests": {"cpu": "2", "memory": "6Gi"}, "limits": {"memory": "16Gi"}}


def test_helm_values_give_dagster_s_storage_the_psycopg2_driver():
    """The chart renders Dagster's storage as `postgres_db` fields (helpers/instance/_postgresql.tpl),
    with a scheme only when `postgresqlScheme` is set; dagster-postgres then built
    `postgresql://...`, which SQLAlchemy 2.1 gives to psycopg 3, not psycopg2 (found by checking
    the values against the chart's sources; the comment said the chart built a psycopg2 URL)."""
    from dagster_postgres.utils import get_conn_string
    from sqlalchemy.engine import make_url

    pg = yaml.safe_load((ROOT / "deploy" / "helm" / "values.yaml").read_text())["postgresql"]
    rendered = {"username": pg["postgresqlUsername"], "password": "x", "hostname": pg["postgresqlHost"],
                "db_name": pg["postgresqlDatabase"], "port": str(pg["service"]["port"])}
    if pg.get("postgresqlScheme"):  # as the template does (`if .Values.postgresql.postgresqlScheme`)
        rendered["scheme"] = pg["postgresqlScheme"]
    assert make_url(get_conn_string(**rendered)).get_dialect().driver == "psycopg2"


@pytest.mark.parametrize("name,kind", [("in_process", "in_process"), ("multiprocess", "multiprocess"),
                                       ("k8s", "k8s")])
def test_executor_setting(name, kind):
    """Each LINDUNGI_EXECUTOR value gives the jobs that executor (loaded fresh, as a run pod would):
    the three of the pipeline, and the implicit asset job of the UI's "Materialize", asset
    backfills, `dagster asset materialize` and a check run alone, which ran on Dagster's
    multiprocess default whatever the setting said."""
    if name == "k8s":
        pytest.importorskip("dagster_k8s")
    code = ("from dagster_project.definitions import defs; "
            "print(*[defs.resolve_job_def(j).executor_def.name for j in ('lindungi', 'ingest', 'link_regions')], "
            "defs.resolve_implicit_global_asset_job_def().executor_def.name)")
    env = {**os.environ, "LINDUNGI_EXECUTOR": name}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1].split() == [kind] * 4


def test_unknown_executor_is_one_clear_line():
    env = {**os.environ, "LINDUNGI_EXECUTOR": "spark"}
    out = subprocess.run([sys.executable, "-c", "import dagster_project.definitions"], env=env,
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode != 0 and "LINDUNGI_EXECUTOR='spark'" in out.stderr


@pytest.mark.parametrize("env", [{"LINDUNGI_EXECUTOR": "k8s"}, {"KUBERNETES_SERVICE_HOST": "10.0.0.1"}])
def test_a_deployment_without_its_database_url_stops_instead_of_submitting_to_a_throwaway_server(
        monkeypatch, tmp_path, env):
    """A missing LINDUNGI_DB_URL in a pod (a mistyped Secret) started an embedded server in the
    pod's working directory, and the submission succeeded into it, to vanish with the pod."""
    from pipelines.db import resolve_dsn

    monkeypatch.delenv("LINDUNGI_DB_URL", raising=False)
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path / "state"))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(RuntimeError, match="LINDUNGI_DB_URL is not set: in a Kubernetes deployment"):
        resolve_dsn()
    assert not (tmp_path / "state").exists()
    assert resolve_dsn("postgresql://x@db/lindungi") == "postgresql://x@db/lindungi"
    monkeypatch.setenv("LINDUNGI_DB_URL", "postgresql://y@db/lindungi")
    assert resolve_dsn() == "postgresql://y@db/lindungi"


def test_the_instance_s_run_retries_restart_a_chain_run_whole():
    """deploy/dagster.yaml retries a failed run once. Dagster's default retry re-runs the failed
    steps only: a link_regions run whose worker was killed after its last step succeeded was
    failed with nothing to retry, and the period run never came (its sensor waits for every
    region). The chain's runs are retried whole; the inbox jobs not at all (their sensor does)."""
    import dagster as dg
    from dagster._core.execution.plan.resume_retry import ReexecutionStrategy
    from dagster._daemon.auto_run_reexecution.auto_run_reexecution import get_reexecution_strategy

    from dagster_project.definitions import defs

    for name in ("ingest", "link_regions", "lindungi"):
        run = dg.DagsterRun(job_name=name, run_id="b" * 36, tags=defs.resolve_job_def(name).tags)
        assert get_reexecution_strategy(run, dg.DagsterInstance.ephemeral()) == ReexecutionStrategy.ALL_STEPS
    for name in ("apply_bpjs_response", "apply_verification"):
        assert defs.resolve_job_def(name).tags["dagster/max_retries"] == "0"
