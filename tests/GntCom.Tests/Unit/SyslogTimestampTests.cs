using System;
using System.Globalization;
using GntCom.Logging;
using Xunit;

namespace GntCom.Tests.Unit;

/// <summary>The syslog timestamp is formatted by hand (start-up cost); it must equal the classic format.</summary>
public sealed class SyslogTimestampTests
{
    [Fact]
    public void Matches_the_classic_Mmm_dd_hh_mm_ss_form_for_every_month_and_day()
    {
        for (var t = new DateTime(2024, 1, 1, 0, 0, 0); t.Year == 2024; t = t.AddHours(37).AddMinutes(7).AddSeconds(13))
        {
            string expected = t.ToString("MMM", CultureInfo.InvariantCulture) + " "
                + t.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) + " "
                + t.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
            Assert.Equal(expected, SyslogTarget.Timestamp(t));
        }
    }

    [Fact]
    public void Pads_a_one_digit_day_with_a_space() =>
        Assert.Equal("Mar  5 09:04:03", SyslogTarget.Timestamp(new DateTime(2025, 3, 5, 9, 4, 3)));
}
