namespace Efficient.Training;

/// <summary>
/// The points of the training loop at which callbacks are told what is happening, in the order
/// they occur. The loop, with the events marked:
/// <code>
/// // Init                              once, when the run's state exists (after model surgery, before resume)
/// // FitStart                          once per Fit (after model surgery and any resume)
/// while (!maxDuration reached):
///     source = data-source hooks (TrainData)   (each epoch, also when resuming inside one; epoch sizes follow it)
///     // EpochStart
///     foreach batch in source:
///         // BatchStart                  the batch is loaded (data algorithms already applied)
///         foreach microbatch in batch:   (gradient accumulation: one or more)
///             // BeforeForward
///             outputs = model(microbatch.inputs)       (regularization hooks wrap this)
///             // AfterForward
///             // BeforeLoss
///             loss = lossFn(outputs, microbatch.targets) (loss hooks wrap this)
///             // AfterLoss
///             // BeforeBackward
///             loss.backward()
///             // AfterBackward
///         // BeforeOptimizerStep
///         optimizer.step()               (optimization hooks wrap this)
///         // AfterOptimizerStep
///         timestamp advanced; schedulers.step()   (per batch: the next batch's LR)
///         // BatchEnd
///         if eval interval (ba/sp/tok) reached:
///             // EvalStart
///             foreach eval batch: // EvalBatchStart ... // EvalBatchEnd
///             // EvalEnd                 metrics available; stop-at-threshold checked
///         if checkpoint interval (ba/sp/tok) reached: // Checkpoint
///         stop if max duration, a stop request or cancellation
///     // EpochEnd                        timestamp advanced; per-epoch schedulers stepped
///     if eval interval (ep) reached: // EvalStart ... // EvalEnd
///     if checkpoint interval (ep) reached: // Checkpoint
/// // FitEnd                            once, also after early stop, threshold or cancellation
/// </code>
/// Callbacks must not change the model's parameters or the optimizer's state at any event; that
/// is the job of algorithms, through the taxonomy hooks.
/// </summary>
public enum TrainingEvent
{
    /// <summary>Once per trainer, when the run's state is created (after model surgery, before any resume).</summary>
    Init,
    /// <summary>Once per fit, after model surgery, resume and state set-up.</summary>
    FitStart,
    /// <summary>At the start of each epoch, after the data-source hooks chose the epoch's data (<see cref="TrainingState.BatchesPerEpoch"/> is the new source's).</summary>
    EpochStart,
    /// <summary>For each batch, after it is loaded and data algorithms transformed it.</summary>
    BatchStart,
    /// <summary>For each microbatch, before the forward pass.</summary>
    BeforeForward,
    /// <summary>For each microbatch, after the forward pass (outputs available).</summary>
    AfterForward,
    /// <summary>For each microbatch, before the loss is computed.</summary>
    BeforeLoss,
    /// <summary>For each microbatch, after the loss is computed (loss available).</summary>
    AfterLoss,
    /// <summary>For each microbatch, before backward.</summary>
    BeforeBackward,
    /// <summary>For each microbatch, after backward (gradients accumulated).</summary>
    AfterBackward,
    /// <summary>For each batch, before the optimizer step (gradients complete).</summary>
    BeforeOptimizerStep,
    /// <summary>For each batch, after the optimizer step.</summary>
    AfterOptimizerStep,
    /// <summary>For each batch, after the timestamp advanced.</summary>
    BatchEnd,
    /// <summary>At the end of each epoch, after the timestamp advanced.</summary>
    EpochEnd,
    /// <summary>Before an evaluation pass.</summary>
    EvalStart,
    /// <summary>Before each evaluation batch.</summary>
    EvalBatchStart,
    /// <summary>After each evaluation batch.</summary>
    EvalBatchEnd,
    /// <summary>After an evaluation pass (metrics available).</summary>
    EvalEnd,
    /// <summary>When a checkpoint is due (the checkpointer saves here).</summary>
    Checkpoint,
    /// <summary>Once, at the end of fit, however it ended.</summary>
    FitEnd,
}
