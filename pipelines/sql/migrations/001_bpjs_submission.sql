-- BPJS Ketenagakerjaan submission tables (CONTRACT §4).
CREATE SCHEMA IF NOT EXISTS bpjs;

-- One row per run of a period and region.
CREATE TABLE IF NOT EXISTS bpjs.submission_batch (
    id              bigserial PRIMARY KEY,
    period          text        NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    region          text        NOT NULL CHECK (region ~ '^[0-9]{4}$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    status          text        NOT NULL CHECK (status IN ('loading', 'committed')),
    row_count       integer     NOT NULL CHECK (row_count >= 0),
    checksum        text        NOT NULL,
    inserted        integer     NOT NULL DEFAULT 0,
    updated         integer     NOT NULL DEFAULT 0,
    withdrawn       integer     NOT NULL DEFAULT 0,
    dagster_run_id  text,
    rules_source    text
);
CREATE INDEX IF NOT EXISTS submission_batch_period_region ON bpjs.submission_batch (period, region);

-- One row per NIK and period; never deleted (a candidate who is no longer eligible is withdrawn).
CREATE TABLE IF NOT EXISTS bpjs.submission_candidate (
    nik            text        NOT NULL CHECK (nik ~ '^[0-9]{16}$'),
    period         text        NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    region         text        NOT NULL,
    status         text        NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'submitted', 'accepted', 'rejected', 'withdrawn')),
    status_reason  text,
    batch_id       bigint      NOT NULL REFERENCES bpjs.submission_batch (id),
    rank           integer     NOT NULL,
    nama_lgkp      text        NOT NULL,
    tgl_lhr        date,
    jenis_klmin    text,
    alamat         text,
    no_rt          text,
    no_rw          text,
    kode_kel       text        NOT NULL,
    jenis_pkrjn    text,
    pekerjaan_kode smallint,
    desil          smallint,
    disabilitas    boolean     NOT NULL,
    iuran_bulanan  integer     NOT NULL,
    evidence       text,
    content_hash   text        NOT NULL,
    kpj            text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    withdrawn_at   timestamptz,
    PRIMARY KEY (nik, period)
);
CREATE INDEX IF NOT EXISTS submission_candidate_period_region
    ON bpjs.submission_candidate (period, region, status);

-- Processing log (UU PDP Art. 31): append-only record of what each run did.
CREATE TABLE IF NOT EXISTS bpjs.processing_log (
    id              bigserial PRIMARY KEY,
    logged_at       timestamptz NOT NULL DEFAULT now(),
    dagster_run_id  text,
    activity        text        NOT NULL,
    period          text,
    region          text,
    inputs          jsonb,
    counts          jsonb
);
