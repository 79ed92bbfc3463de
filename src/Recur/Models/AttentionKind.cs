using System.Text.Json.Serialization;

namespace Recur.Models;

/// <summary>How a decoder state h [B, H] scores each encoder step m_t [B, T, H] (before the masked softmax).</summary>
public enum AttentionKind
{
    /// <summary>Bahdanau et al. 2015 (concat/MLP): s_t = v · tanh(W_q h + U m_t), with A hidden units.</summary>
    Additive,

    /// <summary>Luong et al. 2015 "dot": s_t = h · m_t.</summary>
    Dot,

    /// <summary>Luong et al. 2015 "general": s_t = h^T W m_t (computed as (W h) · m_t with a learned W).</summary>
    General,

    /// <summary>Vaswani et al. 2017: s_t = h · m_t / sqrt(H).</summary>
    [JsonStringEnumMemberName("scaled-dot")]
    ScaledDot,
}
