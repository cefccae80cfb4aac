#!/usr/bin/env bash
# Builds the shipped model models/default/ in resumable stages:
#   1. vocab     word + char vocabularies of the pre-training text
#   2. pretrain  the BiLM language model on PubMed text + BC5CDR train/dev TEXT (never the test split)
#   3. train     the tagger on BC5CDR, Chemical=DRUG, Disease=DISEASE, with augmented copies of its sentences (case,
#                title-cased mentions, mention replacement; AUGMENT: scripts/augment-training.mjs). With
#                TRAIN_WITH_DEV=0 (the dev run): on train.tsv, devel.tsv picking the best epoch, then `bioner
#                calibrate` fits the confidence temperature on devel.tsv.
#                THE SHIPPED RECIPE STARTS FROM THE MODEL SHIPPED BEFORE (INIT_COMMIT): its BiLM (frozen) and tagger are
#                taken from git and the tagger is fine-tuned further, so stages 1-2 are skipped. FROM_SCRATCH=1 (or
#                BILM=...) builds a new tagger instead: pre-training from scratch takes about 4 hours here.
#                TRAIN_WITH_DEV=1 retrains that recipe on train + dev with the choices the dev run made (not run for
#                this recipe; the previous recipe's did not ship, the model card says why): the same augmentation of train.tsv + devel.tsv, continuing INIT_MODEL for the
#                first 8 epochs of the 12-epoch cosine (--epochs 8 --schedule-epochs 12: dev picked epoch 8), and the
#                temperature dev fitted (CALIBRATION_TEMPERATURE), not refitted on dev, which is training data then.
#                An experiment, not shipped: SELF_TRAIN=1 first fine-tunes teachers (one per seed of TEACHER_SEEDS, on train.tsv, dev picking each
#                one's epoch), tags PSEUDO_TOKENS tokens of PubMed text with their ensemble (scripts/pseudo-label.ts),
#                and trains the tagger on train.tsv + those pseudo-labels (dev picking its epoch)
#                Then scripts/build-terms.mjs writes the model's terms.tsv (WordNet's multi-word disease and drug names)
#                and scripts/rehearsal-sample.mjs its rehearsal.conll (200 seeded sentences of train.tsv, rehearsed when
#                a user fine-tunes the model).
#   4. eval      strict span P/R/F1 on BC5CDR test.tsv (the model alone) and on the test abstracts (pubtator/, tagged
#                from their text with terms.tsv and the document passes), with seen/unseen mentions (seen = a train or
#                dev gold mention) and calibration, and on upper- and lower-case copies of the abstracts, written into
#                models/default/config.json ("metrics.test", "metrics.testAbstracts", "metrics.testAbstractsUpper",
#                "metrics.testAbstractsLower")
# A stage whose output exists is skipped (delete it, or set FORCE_STAGES="pretrain train", to redo it).
# Work files live in $WORK (default: .work/train-default, outside the shipped folder).
#
# Environment:
#   BIONER_DATA        data root (default ../shared/data, relative to the repository)
#   WORK               work folder (default .work/train-default)
#   OUT                model folder (default models/default)
#   INIT_COMMIT        the git commit whose models/default the shipped recipe continues (default 17db28c, the model
#                      of 2026-12-01: BiLM pre-trained 4 epochs, tagger fine-tuned on train.tsv)
#   INIT_MODEL         a tagger folder to continue instead (skips the git extraction)
#   FROM_SCRATCH       1: no INIT_MODEL; pre-train (or use BILM) and fine-tune a new tagger (TRAIN_EPOCHS default 18)
#   AUGMENT            scripts/augment-training.mjs options for the training sentences (default
#                      "--lower 0.5 --upper 0.25 --title-mentions 1 --replace 0.5 --capitalize --seed 1"; empty:
#                      train.tsv as it is)
#   REPRESENTATION     BiLM config preset or JSON file (default small)
#   PRETRAIN_EPOCHS    (default 4)      PRETRAIN_MINUTES  time limit of pre-training (default 240); a run stopped by
#                      the time limit before PRETRAIN_EPOCHS is resumed from its checkpoint by the next run
#   THREADS            pre-training threads (default: the number of cores)
#   TRAIN_EPOCHS       continuing INIT_MODEL: 8 on train + dev (SCHEDULE_EPOCHS 12), 12 on train (dev picks the
#                      epoch); else 16 on train + dev, 18 on train
#   SCHEDULE_EPOCHS    length of the cosine in epochs (default TRAIN_EPOCHS; 12 for the shipped recipe's 8 epochs)
#   TRAIN_MINUTES      time limit of fine-tuning (default 90; 150 with TRAIN_WITH_DEV=1)
#   TRAIN_SCHEDULE     learning-rate schedule, cosine or plateau (default cosine)
#   TRAIN_WITH_DEV     1: fine-tune on train + dev, no early stopping (the epoch count found with dev before)
#   CALIBRATION_TEMPERATURE  with TRAIN_WITH_DEV=1: the temperature fitted on dev by the dev run (default 2.55)
#   TRAIN_SEED         seed of the fine-tuning batch order (default 2)
#   SELF_TRAIN         1: self-training, see stage 3 (default 0)    TEACHER_SEEDS  (default "1 2 3 4")
#   PSEUDO_TOKENS      (default 200000)   PSEUDO_TEXT  unlabelled text to pseudo-label (default: pubmedqa.txt and
#                      genia-jnlpba.txt of pubmed-text, else all of pubmed-text)
#   BILM               an already pre-trained BiLM folder: skips stages 1-2 and fine-tunes a new tagger on it
#   SKIP_STAGES        e.g. "pretrain" to fine-tune on a random BiLM (smoke test; implies FROM_SCRATCH)
#   FORCE_STAGES       stages to redo even if their output exists
#   EXTRA_PRETRAIN_ARGS / EXTRA_TRAIN_ARGS   passed through
set -euo pipefail
cd "$(dirname "$0")/.."

DATA="${BIONER_DATA:-../shared/data}"
WORK="${WORK:-.work/train-default}"
OUT="${OUT:-models/default}"
REPRESENTATION="${REPRESENTATION:-small}"
PRETRAIN_EPOCHS="${PRETRAIN_EPOCHS:-4}"
PRETRAIN_MINUTES="${PRETRAIN_MINUTES:-240}"
THREADS="${THREADS:-$(nproc 2>/dev/null || echo 1)}"
TRAIN_SEED="${TRAIN_SEED:-2}"
TRAIN_SCHEDULE="${TRAIN_SCHEDULE:-cosine}"
SKIP_STAGES="${SKIP_STAGES:-}"
FORCE_STAGES="${FORCE_STAGES:-}"
LABEL_MAP="Chemical=DRUG,Disease=DISEASE"
AUGMENT="${AUGMENT---lower 0.5 --upper 0.25 --title-mentions 1 --replace 0.5 --capitalize --seed 1}"
INIT_COMMIT="${INIT_COMMIT:-17db28c}"
CALIBRATION_TEMPERATURE="${CALIBRATION_TEMPERATURE:-2.55}"
CALIBRATION_FROM="${CALIBRATION_FROM:-the dev run of this recipe, models/default of 2026-12-05 08:00}"
FROM_SCRATCH="${FROM_SCRATCH:-0}"
[[ " $SKIP_STAGES " == *" pretrain "* || -n "${BILM:-}" ]] && FROM_SCRATCH=1
[ "$FROM_SCRATCH" = 1 ] && INIT_MODEL=""
if [ "$FROM_SCRATCH" != 1 ] && [ -z "${INIT_MODEL:-}" ]; then INIT_MODEL="${WORK:-.work/train-default}/init-model"; fi
TRAIN_WITH_DEV="${TRAIN_WITH_DEV:-0}"

BC5CDR="$DATA/bc5cdr"
SCHEDULE_EPOCHS="${SCHEDULE_EPOCHS:-}"
if [ "$TRAIN_WITH_DEV" = 1 ]; then
  # The choices a dev run made, continuing INIT_MODEL: dev picked epoch 8 of the 12-epoch cosine, so training on
  # train + dev stops after epoch 8 of a 12-epoch cosine. The confidence temperature dev chose is kept
  # (CALIBRATION_TEMPERATURE): fitted on data the model trained on, it would be biased.
  if [ -n "${INIT_MODEL:-}" ] && [ -z "${TRAIN_EPOCHS:-}" ]; then
    TRAIN_EPOCHS=8
    SCHEDULE_EPOCHS="${SCHEDULE_EPOCHS:-12}"
  else
    TRAIN_EPOCHS="${TRAIN_EPOCHS:-16}"
  fi
  TRAIN_MINUTES="${TRAIN_MINUTES:-150}"
  TRAIN_DATA_ARGS=(--train "$BC5CDR/train.tsv" "$BC5CDR/devel.tsv")
else
  if [ -n "${INIT_MODEL:-}" ]; then TRAIN_EPOCHS="${TRAIN_EPOCHS:-12}"; else TRAIN_EPOCHS="${TRAIN_EPOCHS:-18}"; fi
  TRAIN_MINUTES="${TRAIN_MINUTES:-90}"
  TRAIN_DATA_ARGS=(--train "$BC5CDR/train.tsv" --dev "$BC5CDR/devel.tsv")
fi
for f in "$BC5CDR/train.tsv" "$BC5CDR/devel.tsv" "$BC5CDR/test.tsv" \
  "$BC5CDR/pubtator/CDR_TrainingSet.PubTator.txt" "$BC5CDR/pubtator/CDR_DevelopmentSet.PubTator.txt"; do
  [ -f "$f" ] || { echo "train-default: missing $f (set BIONER_DATA to the data root)" >&2; exit 1; }
done
# Pre-training text: unlabelled PubMed text plus the TEXT of BC5CDR train and dev. The test split is never used here.
PRETRAIN_TEXT=("$DATA"/pubmed-text/*.txt "$BC5CDR/pubtator/CDR_TrainingSet.PubTator.txt" "$BC5CDR/pubtator/CDR_DevelopmentSet.PubTator.txt")
for f in "${PRETRAIN_TEXT[@]}"; do
  case "$(basename "$f")" in *TestSet*|*test*) echo "train-default: refusing to pre-train on $f" >&2; exit 1 ;; esac
done

has() { [[ " $1 " == *" $2 "* ]]; }
skip() { has "$SKIP_STAGES" "$1"; }
todo() { has "$FORCE_STAGES" "$1" || [ ! -e "$2" ]; }
log() { echo "train-default: $*" >&2; }

mkdir -p "$WORK"
[ -f dist/cli.js ] || npm run build
CLI=(node dist/cli.js)

if [ -n "${BILM:-}" ]; then
  [ -f "$BILM/config.json" ] || { echo "train-default: BILM=$BILM is not a BiLM folder (no config.json)" >&2; exit 1; }
  SKIP_STAGES="$SKIP_STAGES vocab"
fi
if [ -n "${INIT_MODEL:-}" ]; then
  if [ ! -f "$INIT_MODEL/config.json" ] && [ "$INIT_MODEL" = "$WORK/init-model" ]; then
    log "stage 1-2/4: the model shipped at $INIT_COMMIT, from git -> $INIT_MODEL"
    mkdir -p "$INIT_MODEL"
    git archive "$INIT_COMMIT" models/default | tar -x -C "$INIT_MODEL" --strip-components=2
  fi
  [ -f "$INIT_MODEL/config.json" ] || { echo "train-default: INIT_MODEL=$INIT_MODEL is not a model folder (no config.json)" >&2; exit 1; }
  SKIP_STAGES="$SKIP_STAGES vocab"
fi

if ! skip vocab && ! skip pretrain && todo vocab "$WORK/vocab/words.txt"; then
  log "stage 1/4: vocab"
  "${CLI[@]}" vocab --text "${PRETRAIN_TEXT[@]}" --out "$WORK/vocab"
fi

BILM_ARGS=()
if [ -n "${INIT_MODEL:-}" ]; then
  log "stage 1-2/4: continuing the tagger $INIT_MODEL (its BiLM stays frozen)"
  BILM_ARGS=(--init-model "$INIT_MODEL")
elif [ -n "${BILM:-}" ]; then
  log "stage 1-2/4: using the pre-trained BiLM $BILM"
  BILM_ARGS=(--bilm "$BILM")
elif skip pretrain; then
  log "stage 2/4: pretrain SKIPPED (random BiLM: $REPRESENTATION)"
  BILM_ARGS=(--representation "$REPRESENTATION")
else
  # Pre-training stopped by its time limit (fewer epochs than asked) goes on from its checkpoint on the next run.
  unfinished() {
    [ -f "$WORK/bilm/config.json" ] && [ -d "$WORK/bilm/checkpoint" ] && node -e '
      const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).provenance ?? {};
      process.exit((p.epochs ?? 0) < Number(process.argv[2]) ? 0 : 1);' "$WORK/bilm/config.json" "$PRETRAIN_EPOCHS"
  }
  if todo pretrain "$WORK/bilm/weights.json" || unfinished; then
    log "stage 2/4: pretrain ($REPRESENTATION, $PRETRAIN_EPOCHS epoch(s), at most $PRETRAIN_MINUTES minutes)"
    RESUME=()
    [ -d "$WORK/bilm/checkpoint" ] && ! has "$FORCE_STAGES" pretrain && RESUME=(--resume)
    "${CLI[@]}" pretrain --text "${PRETRAIN_TEXT[@]}" --vocab "$WORK/vocab" --config "$REPRESENTATION" \
      --out "$WORK/bilm" --epochs "$PRETRAIN_EPOCHS" --max-minutes "$PRETRAIN_MINUTES" --threads "$THREADS" "${RESUME[@]}" \
      ${EXTRA_PRETRAIN_ARGS:-}
  else
    log "stage 2/4: pretrain done already ($WORK/bilm)"
  fi
  BILM_ARGS=(--bilm "$WORK/bilm")
fi

SELF_TRAIN="${SELF_TRAIN:-0}"
[ "$TRAIN_WITH_DEV" = 1 ] && SELF_TRAIN=0
TEACHER_SEEDS="${TEACHER_SEEDS:-1 2 3 4}"
PSEUDO_TOKENS="${PSEUDO_TOKENS:-200000}"
if [ -z "${PSEUDO_TEXT:-}" ]; then
  if [ -f "$DATA/pubmed-text/pubmedqa.txt" ] && [ -f "$DATA/pubmed-text/genia-jnlpba.txt" ]; then
    PSEUDO_TEXT="$DATA/pubmed-text/pubmedqa.txt $DATA/pubmed-text/genia-jnlpba.txt"
  else
    PSEUDO_TEXT="$(echo "$DATA"/pubmed-text/*.txt)"
  fi
fi
# Fine-tunes a tagger (the shipped one, or a teacher): out folder, name, seed, then the data arguments.
run_train() {
  local out="$1" name="$2" seed="$3"
  shift 3
  "${CLI[@]}" train "$@" "${BILM_ARGS[@]}" --label-map "$LABEL_MAP" --out "$out" --name "$name" \
    --epochs "$TRAIN_EPOCHS" ${SCHEDULE_EPOCHS:+--schedule-epochs "$SCHEDULE_EPOCHS"} --max-minutes "$TRAIN_MINUTES" \
    --seed "$seed" --lr-schedule "$TRAIN_SCHEDULE" ${EXTRA_TRAIN_ARGS:-}
}

if ! skip train && todo train "$OUT/config.json" && [ "$SELF_TRAIN" = 1 ]; then
  # Teachers, $THREADS at a time (each fine-tuning runs on one core).
  TEACHERS=()
  PIDS=()
  for seed in $TEACHER_SEEDS; do
    TEACHER="$WORK/teacher-s$seed"
    TEACHERS+=(--teacher "$TEACHER")
    if todo teachers "$TEACHER/config.json"; then
      log "stage 3/4: teacher, seed $seed -> $TEACHER"
      run_train "$TEACHER" "teacher-s$seed" "$seed" "${TRAIN_DATA_ARGS[@]}" > "$WORK/teacher-s$seed.log" 2>&1 &
      PIDS+=($!)
      if [ "${#PIDS[@]}" -ge "$THREADS" ]; then wait "${PIDS[0]}"; PIDS=("${PIDS[@]:1}"); fi
    fi
  done
  for pid in "${PIDS[@]}"; do wait "$pid"; done
  if todo pseudo "$WORK/pseudo.tsv"; then
    log "stage 3/4: pseudo-labels, $PSEUDO_TOKENS tokens of $PSEUDO_TEXT"
    TEXT_ARGS=()
    for f in $PSEUDO_TEXT; do TEXT_ARGS+=(--text "$f"); done
    npx tsx scripts/pseudo-label.ts "${TEACHERS[@]}" "${TEXT_ARGS[@]}" --tokens "$PSEUDO_TOKENS" --out "$WORK/pseudo.tsv"
  fi
  TRAIN_DATA_ARGS=(--train "$BC5CDR/train.tsv" "$WORK/pseudo.tsv" --dev "$BC5CDR/devel.tsv")
fi

# Augmentation: the training sentences plus lower- and upper-cased copies of a seeded share of them, title-case
# copies (entity mentions mid-sentence capitalised) and mention-replacement copies (scripts/augment-training.mjs).
# With TRAIN_WITH_DEV=1, dev's sentences follow train's and get their own copies (train's copies stay the same: the
# generator draws for each sentence in order).
if [ -n "$AUGMENT" ] && [ "$SELF_TRAIN" != 1 ]; then
  if [ "$TRAIN_WITH_DEV" = 1 ]; then
    AUGMENTED="$WORK/train-dev-augmented.tsv"
    AUGMENT_IN=(--in "$BC5CDR/train.tsv" --in "$BC5CDR/devel.tsv")
  else
    AUGMENTED="$WORK/train-augmented.tsv"
    AUGMENT_IN=(--in "$BC5CDR/train.tsv")
  fi
  if todo train "$OUT/config.json" || [ ! -f "$AUGMENTED" ]; then
    # shellcheck disable=SC2086
    node scripts/augment-training.mjs "${AUGMENT_IN[@]}" $AUGMENT --out "$AUGMENTED"
  fi
  if [ "$TRAIN_WITH_DEV" = 1 ]; then TRAIN_DATA_ARGS=(--train "$AUGMENTED"); else TRAIN_DATA_ARGS=(--train "$AUGMENTED" --dev "$BC5CDR/devel.tsv"); fi
fi

if ! skip train && todo train "$OUT/config.json"; then
  log "stage 3/4: train ($TRAIN_EPOCHS epochs, at most $TRAIN_MINUTES minutes$([ "$TRAIN_WITH_DEV" = 1 ] && echo ', on train + dev')$([ "$SELF_TRAIN" = 1 ] && echo ', on train + pseudo-labels'))"
  run_train "$OUT" bioner-default "$TRAIN_SEED" "${TRAIN_DATA_ARGS[@]}"
  node scripts/build-terms.mjs --out "$OUT/terms.tsv"
  node scripts/rehearsal-sample.mjs --in "$BC5CDR/train.tsv" --sentences 200 --seed 1 --label-map "$LABEL_MAP" --out "$OUT/rehearsal.conll"
  if [ "$TRAIN_WITH_DEV" = 1 ]; then
    log "stage 3/4: the confidence temperature chosen on dev before, $CALIBRATION_TEMPERATURE (dev is training data now)"
    node -e '
      const fs = require("fs");
      const [file, temperature, from] = process.argv.slice(1);
      const config = JSON.parse(fs.readFileSync(file, "utf8"));
      config.calibration = { temperature: Number(temperature),
        fittedOn: "devel.tsv, by `bioner calibrate` on the model trained on train.tsv with the same choices (" + from + "); not refitted, as dev is in this model'"'"'s training data" };
      fs.writeFileSync(file + ".tmp", JSON.stringify(config, null, 2) + "\n");
      fs.renameSync(file + ".tmp", file);
    ' "$OUT/config.json" "$CALIBRATION_TEMPERATURE" "$CALIBRATION_FROM"
  else
    log "stage 3/4: calibrate the confidences on devel.tsv"
    "${CLI[@]}" calibrate --model "$OUT" --dev "$BC5CDR/devel.tsv" --label-map "$LABEL_MAP"
  fi
else
  log "stage 3/4: train done already ($OUT)"
fi

if ! skip eval; then
  log "stage 4/4: eval on BC5CDR test"
  "${CLI[@]}" eval --model "$OUT" --label-map "$LABEL_MAP" "$BC5CDR/test.tsv"
  "${CLI[@]}" eval --model "$OUT" --label-map "$LABEL_MAP" --json "$BC5CDR/test.tsv" > "$WORK/test-metrics.json"
  PUBTATOR="$BC5CDR/pubtator"
  ABSTRACTS="$PUBTATOR/CDR_TestSet.PubTator.txt"
  rm -f "$WORK"/test-abstracts*-metrics.json
  if [ -f "$ABSTRACTS" ]; then
    # Seen mentions: the gold mentions of train and dev; the reliability diagram is drawn beside the model card.
    "${CLI[@]}" eval --model "$OUT" --label-map "$LABEL_MAP" --json "$ABSTRACTS" \
      --unseen-from "$PUBTATOR/CDR_TrainingSet.PubTator.txt" "$PUBTATOR/CDR_DevelopmentSet.PubTator.txt" \
      --calibration-plot "$OUT/reliability.png" > "$WORK/test-abstracts-metrics.json"
    for CASE in upper lower; do
      node scripts/recase-pubtator.mjs "$CASE" "$ABSTRACTS" "$WORK/test-abstracts-$CASE.txt"
      "${CLI[@]}" eval --model "$OUT" --label-map "$LABEL_MAP" --json "$WORK/test-abstracts-$CASE.txt" > "$WORK/test-abstracts-$CASE-metrics.json"
    done
  fi
  # Record the test scores in the model's config.json (atomically: temp file + rename).
  node -e '
    const fs = require("fs");
    const [dir, work, testFile, abstractsFile] = process.argv.slice(1);
    const file = dir + "/config.json";
    const config = JSON.parse(fs.readFileSync(file, "utf8"));
    const read = (name) => (fs.existsSync(work + "/" + name) ? JSON.parse(fs.readFileSync(work + "/" + name, "utf8")) : undefined);
    const r = (x) => Math.round(x * 10000) / 10000;
    const pick = (s) => ({ precision: r(s.precision), recall: r(s.recall), f1: r(s.f1), gold: s.gold, predicted: s.predicted });
    const scores = (data, report) => ({ data, strict: pick(report.overall),
      perType: Object.fromEntries(report.perType.map((t) => [t.label, pick(t)])) });
    config.metrics = { ...config.metrics, test: scores(testFile, read("test-metrics.json")) };
    const abstracts = read("test-abstracts-metrics.json");
    if (abstracts) {
      const m = (config.metrics.testAbstracts = scores(abstractsFile, abstracts));
      const recall = (report) => ({ overall: r(report.overall.recall), ...Object.fromEntries(report.perType.map((t) => [t.label, r(t.recall)])) });
      if (abstracts.seenUnseen) {
        m.seenRecall = recall(abstracts.seenUnseen.seen);
        m.unseenRecall = recall(abstracts.seenUnseen.unseen);
      }
      if (abstracts.calibration) {
        m.ece = r(abstracts.calibration.ece);
        m.confidentFalsePositiveShare = r(abstracts.calibration.confidentFalsePositiveShare);
      }
      for (const c of ["upper", "lower"]) {
        const cased = read("test-abstracts-" + c + "-metrics.json");
        if (cased) config.metrics["testAbstracts" + c[0].toUpperCase() + c.slice(1)] = scores(abstractsFile + " (" + c + "-cased copy)", cased);
      }
    }
    fs.writeFileSync(file + ".tmp", JSON.stringify(config, null, 2) + "\n");
    fs.renameSync(file + ".tmp", file);
  ' "$OUT" "$WORK" "$(cd "$BC5CDR" && pwd)/test.tsv" "$(cd "$BC5CDR" && pwd)/pubtator/CDR_TestSet.PubTator.txt"
fi

if [ -d "$OUT" ]; then
  SIZE=$(du -sm "$OUT" | cut -f1)
  log "done: $OUT is ${SIZE} MB"
  [ "$SIZE" -le 30 ] || log "WARNING: $OUT is over 30 MB"
fi
