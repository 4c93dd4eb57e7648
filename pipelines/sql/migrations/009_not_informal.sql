-- A kelurahan's result for someone found at home who does no informal work (a civil servant, a
-- company's employee, a pupil, a housewife, no work at all): no choice said so. Coordinators
-- chose Menolak ("refused", which it is not) or left the cell empty, and the person was listed
-- again month after month. 'Bukan pekerja informal' withdraws them as the other exclusions do.
ALTER TABLE bpjs.verification DROP CONSTRAINT IF EXISTS verification_hasil_check;
ALTER TABLE bpjs.verification ADD CONSTRAINT verification_hasil_check
    CHECK (hasil IN ('Valid', 'Sudah terdaftar', 'Bukan pekerja informal', 'Pindah domisili', 'Meninggal',
                     'Tidak ditemukan', 'Menolak'));
