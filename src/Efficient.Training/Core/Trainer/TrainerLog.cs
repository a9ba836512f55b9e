using Microsoft.Extensions.Logging;

namespace Efficient.Training;

/// <summary>What the <see cref="Trainer"/> says, as <c>Microsoft.Extensions.Logging</c> messages (event ids 1–9).</summary>
internal static partial class TrainerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Report}")]
    public static partial void ConvolutionsWrong(ILogger logger, string report);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "{Report}")]
    public static partial void ConvolutionsChecked(ILogger logger, string report);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Model surgery: {Change}")]
    public static partial void Surgery(ILogger logger, string change);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Checkpoints: {Report}")]
    public static partial void Resume(ILogger logger, string report);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Fit ended at {Timestamp}: {StopReason}")]
    public static partial void FitEnded(ILogger logger, string timestamp, string stopReason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Checkpoint saved: {Path}")]
    public static partial void CheckpointSaved(ILogger logger, string path);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Bottleneck profile: {Report}")]
    public static partial void ProfileReport(ILogger logger, string report);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Training for {Scaled}: the maximum duration {MaxDuration} times the scale-schedule ratio {Ratio}")]
    public static partial void Scaled(ILogger logger, string scaled, string maxDuration, double ratio);
}
