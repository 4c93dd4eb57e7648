-- Door-to-door verification results returned by kelurahan coordinators (gap lists).
CREATE TABLE IF NOT EXISTS bpjs.verification (
    nik          text        NOT NULL CHECK (nik ~ '^[0-9]{16}$'),
    period       text        NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    hasil        text        NOT NULL CHECK (hasil IN ('Valid', 'Sudah terdaftar', 'Pindah domisili',
                                                       'Meninggal', 'Tidak ditemukan', 'Menolak')),
    catatan      text,
    kode_kel     text        NOT NULL,
    file         text        NOT NULL,
    file_sha256  text        NOT NULL,
    received_by  text        NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (nik, period)
);
GRANT SELECT, INSERT, UPDATE ON bpjs.verification TO lindungi_writer;
GRANT SELECT ON bpjs.verification TO lindungi_reader;
