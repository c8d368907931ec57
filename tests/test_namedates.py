"""Dates in file names: each device pattern, and names that must not read as dates."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pef.namedates import date_from_name


@pytest.mark.parametrize("name,expected", [
    ("IMG_20190509_154733.jpg", datetime(2019, 5, 9, 15, 47, 33)),
    ("IMG_20190509_154733_1.jpg", datetime(2019, 5, 9, 15, 47, 33)),
    ("IMG_20190509_154733~2.jpg", datetime(2019, 5, 9, 15, 47, 33)),
    ("VID_20190509_154733.mp4", datetime(2019, 5, 9, 15, 47, 33)),
    ("PXL_20210101_101010123.jpg", datetime(2021, 1, 1, 10, 10, 10)),
    ("PXL_20210101_101010123.MP.jpg", datetime(2021, 1, 1, 10, 10, 10)),
    ("MVIMG_20190509_154733.jpg", datetime(2019, 5, 9, 15, 47, 33)),
    ("PANO_20190509_154733.jpg", datetime(2019, 5, 9, 15, 47, 33)),
    ("20190509_154733.jpg", datetime(2019, 5, 9, 15, 47, 33)),
    ("20190509_154733(0).jpg", datetime(2019, 5, 9, 15, 47, 33)),
    ("Screenshot_20190919-053857.png", datetime(2019, 9, 19, 5, 38, 57)),
    ("Screenshot_20190919-053857_Chrome.jpg", datetime(2019, 9, 19, 5, 38, 57)),
    ("Screenshot_2019-09-19-05-38-57.png", datetime(2019, 9, 19, 5, 38, 57)),
    ("Screenshot_2019-09-19-05-38-57-123_com.android.chrome.jpg", datetime(2019, 9, 19, 5, 38, 57)),
    ("Screenshot 2019-09-19 at 05.38.57.png", datetime(2019, 9, 19, 5, 38, 57)),
    ("Screen Shot 2019-09-19 at 5.38.57 PM.png", datetime(2019, 9, 19, 17, 38, 57)),
    ("Screen Shot 2019-09-19 at 12.38.57 AM.png", datetime(2019, 9, 19, 0, 38, 57)),
    ("Screenshot 2023-09-19 at 12.05.01\u202fPM.png", datetime(2023, 9, 19, 12, 5, 1)),
    ("BURST20190509154733.jpg", datetime(2019, 5, 9, 15, 47, 33)),
    ("00100lrPORTRAIT_00100_BURST20190509154733123_COVER.jpg", datetime(2019, 5, 9, 15, 47, 33)),
    ("2016_01_30_11_49_15.jpg", datetime(2016, 1, 30, 11, 49, 15)),
    ("2016-01-30 11.49.15.jpg", datetime(2016, 1, 30, 11, 49, 15)),
    ("2016-01-30_11-49-15.mp4", datetime(2016, 1, 30, 11, 49, 15)),
    ("photo_2021-01-01_10-10-10.jpg", datetime(2021, 1, 1, 10, 10, 10)),
    ("WhatsApp Image 2021-01-01 at 10.10.10.jpeg", datetime(2021, 1, 1, 10, 10, 10)),
    ("IMG-20190509-WA0001.jpg", datetime(2019, 5, 9)),
    ("VID-20190509-WA0012.mp4", datetime(2019, 5, 9)),
    ("Trip 2019-05-09 (2).jpg", datetime(2019, 5, 9)),
    ("1999-12-31.jpg", datetime(1999, 12, 31)),
    ("Takeout/Google Photos/2019/IMG_20190509_154733.jpg", datetime(2019, 5, 9, 15, 47, 33)),
    ("C:\\Users\\me\\IMG_20190509_154733.jpg", datetime(2019, 5, 9, 15, 47, 33)),
    ("IMG_20200229_000000.jpg", datetime(2020, 2, 29)),  # leap day
    ("Screen Shot 2019-09-19 at 13.38.57 PM.png", datetime(2019, 9, 19)),  # bad time: the date alone
])
def test_date_from_name(name, expected):
    assert date_from_name(name) == expected


@pytest.mark.parametrize("name", [
    "DSC01234.JPG", "IMG_1234.jpg", "P1010001.JPG", "DSCN0001.jpg", "GOPR0001.MP4",
    "1546300800000.jpg",  # epoch milliseconds
    "FB_IMG_1546300800000.jpg",
    "123456789012345678.jpg",  # long random run
    "12345678_123456.jpg",  # year 1234
    "20191301_101010.jpg",  # month 13
    "20190230_101010.jpg",  # 30 February
    "20190509_246000.jpg",  # 24:60
    "20190509_154760.jpg",  # second 60
    "IMG_20190229_101010.jpg",  # 2019 is not a leap year
    "120190509_154733.jpg",  # digits before the date
    "IMG_20190509_1547331.jpg",  # 7 time digits
    "20190509.jpg",  # bare 8 digits: could be anything
    "IMG-20190509-1234.jpg",  # not WhatsApp
    "2019-05.jpg", "2019_05_09.jpg", "9999-12-31.jpg", "1850-01-01.jpg",
    "19700101_000000.jpg",  # the epoch sentinel
    "", ".jpg", "photo.jpg",
])
def test_no_date(name):
    assert date_from_name(name) is None


@given(st.from_regex(r"\A[A-Z]{0,4}_?[0-9]{1,7}\.jpg\Z"))
def test_short_digit_runs_never_dates(name):
    assert date_from_name(name) is None
