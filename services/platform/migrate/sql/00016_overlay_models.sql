-- A heatmap overlay may come from a model version, the same one whose
-- suggestions (00015) are reviewed on the slide: an ML team can then show
-- the heatmap of exactly the model they are correcting. Empty: no model
-- named (a heatmap from elsewhere).

-- +goose Up
ALTER TABLE slide_overlays
  ADD COLUMN model_name    VARCHAR(128) NOT NULL DEFAULT '',
  ADD COLUMN model_version VARCHAR(64)  NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE slide_overlays
  DROP COLUMN model_name,
  DROP COLUMN model_version;
