-- Delivery evidence (SPEC 1, step 9): the JSON of an evidence and its files
-- as the municipality and the state see them, what the audit log keeps,
-- who may see and review it. The tables are sql/024's.

-- Who may know of an evidence: its plan's municipality and the state.
CREATE FUNCTION evidence_visible(e evidence, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce((SELECT plan_shows_people(p, v) FROM action_plans p WHERE p.id = e.plan_id),
                    false);

-- A file's metadata, never its bytes.
CREATE FUNCTION evidence_file_json(f evidence_files) RETURNS json
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN json_build_object('id', f.id, 'content_type', f.content_type,
                             'size_bytes', f.size_bytes, 'sha256', f.sha256,
                             'uploaded_at', pacto_ts(f.uploaded_at));

-- An evidence with its files in the order they were attached and its
-- review; the reviewer's name only to the municipality and the state.
CREATE FUNCTION evidence_json(e evidence, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', e.id, 'delivery_id', e.delivery_id, 'plan_id', e.plan_id,
        'description', e.description, 'link', e.link, 'status', e.status,
        'submitted_at', pacto_ts(e.submitted_at),
        'files', (SELECT coalesce(json_agg(evidence_file_json(f) ORDER BY a.position), '[]')
                    FROM evidence_attachments a JOIN evidence_files f ON f.id = a.file_id
                   WHERE a.evidence_id = e.id),
        'review', CASE WHEN e.reviewed_at IS NOT NULL THEN json_build_object(
                      'status', e.status, 'reason', e.review_reason,
                      'reviewed_at', pacto_ts(e.reviewed_at),
                      'reviewer_name', CASE WHEN evidence_visible(e, v)
                                            THEN (SELECT u.name FROM users u
                                                   WHERE u.id = e.reviewed_by) END) END);

-- What the audit log keeps of an evidence: the row and its files' ids and
-- digests (never the bytes).
CREATE FUNCTION evidence_snapshot(e evidence) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN to_jsonb(e) || jsonb_build_object(
        'files', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', f.id, 'sha256', f.sha256)
                                            ORDER BY a.position), '[]')
                    FROM evidence_attachments a JOIN evidence_files f ON f.id = a.file_id
                   WHERE a.evidence_id = e.id));
