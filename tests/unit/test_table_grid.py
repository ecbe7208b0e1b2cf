"""Ruled tables found on drawn pages: rows, columns, cells, lines painted out."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from extractors.table_grid import (Grid, clear_cell, find_grids, ink_mask, rule_masks,
                                   rule_thickness, text_box)

WIDTH, HEIGHT = 2300, 1600
COLUMNS = (60, 140, 640, 980, 1200, 1500, 2240)
ROWS = tuple(450 + 50 * k for k in range(9))


def _page() -> np.ndarray:
    return np.full((HEIGHT, WIDTH), 245, np.uint8)


def _draw_table(page: np.ndarray, xs: tuple[int, ...], ys: tuple[int, ...],
                degrees: float = 0.0, thickness: int = 2) -> None:
    """A ruled table, turned by `degrees` about the page centre."""
    turn = math.radians(degrees)

    def at(x: float, y: float) -> tuple[int, int]:
        dx, dy = x - WIDTH / 2, y - HEIGHT / 2
        return (int(round(WIDTH / 2 + dx * math.cos(turn) - dy * math.sin(turn))),
                int(round(HEIGHT / 2 + dx * math.sin(turn) + dy * math.cos(turn))))

    for y in ys:
        cv2.line(page, at(xs[0], y), at(xs[-1], y), 20, thickness)
    for x in xs:
        cv2.line(page, at(x, ys[0]), at(x, ys[-1]), 20, thickness)


def _grids(page: np.ndarray) -> list[Grid]:
    return find_grids(*rule_masks(ink_mask(page)))


def _row_ys(grid: Grid, x: float) -> list[float]:
    return [r.across(x) for r in grid.rows]


def _column_xs(grid: Grid, y: float) -> list[float]:
    return [c.across(y) for c in grid.columns]


def test_a_straight_table_gives_its_lines() -> None:
    page = _page()
    _draw_table(page, COLUMNS, ROWS)
    [grid] = _grids(page)
    assert _row_ys(grid, 1000) == pytest.approx(ROWS, abs=1.5)
    assert _column_xs(grid, 600) == pytest.approx(COLUMNS, abs=1.5)


def test_a_slightly_turned_table_is_fitted_along_its_slope() -> None:
    """Half a degree left after deskewing moves a row line 19 px across the table."""
    page = _page()
    _draw_table(page, COLUMNS, ROWS, degrees=0.5)
    [grid] = _grids(page)
    assert len(grid.rows) == len(ROWS) and len(grid.columns) == len(COLUMNS)
    top = grid.rows[0]
    turn = math.radians(0.5)
    assert top.slope == pytest.approx(math.tan(turn), abs=0.001)
    # Each cell's inside lies between its lines at both ends of the row.
    cell = grid.cell(1, 5, inset=3)
    for x in (cell.x, cell.x + cell.w):
        assert grid.rows[1].across(x) < cell.y and cell.y + cell.h < grid.rows[2].across(x)


def test_text_in_the_cells_is_not_taken_for_lines() -> None:
    page = _page()
    _draw_table(page, COLUMNS, ROWS)
    for row in range(1, 4):
        cv2.putText(page, "BUDI SETIAWAN", (150, ROWS[row] + 38), cv2.FONT_HERSHEY_SIMPLEX, 1.1,
                    20, 3)
        cv2.putText(page, "6472031203850003", (650, ROWS[row] + 38), cv2.FONT_HERSHEY_SIMPLEX,
                    1.0, 20, 3)
    [grid] = _grids(page)
    assert len(grid.rows) == len(ROWS) and len(grid.columns) == len(COLUMNS)


def test_broken_lines_are_joined_and_a_lost_row_line_put_back() -> None:
    page = _page()
    _draw_table(page, COLUMNS, ROWS)
    page[ROWS[2] - 3:ROWS[2] + 4, 700:760] = 245  # a row line broken
    page[500:530, COLUMNS[3] - 3:COLUMNS[3] + 4] = 245  # a column line broken
    page[ROWS[5] - 3:ROWS[5] + 4, :] = 245  # a row line lost entirely
    [grid] = _grids(page)
    assert _row_ys(grid, 1000) == pytest.approx(ROWS, abs=2)
    assert _column_xs(grid, 600) == pytest.approx(COLUMNS, abs=1.5)


def test_tables_one_above_the_other_stay_apart() -> None:
    """The second table's column lines continue the first's, a row's height below."""
    page = _page()
    _draw_table(page, COLUMNS, ROWS)
    second = tuple(ROWS[-1] + 50 + 50 * k for k in range(5))
    _draw_table(page, COLUMNS[:4] + (COLUMNS[-1],), second)
    first, lower = _grids(page)
    assert len(first.rows) == len(ROWS) and len(first.columns) == len(COLUMNS)
    assert len(lower.rows) == 5 and len(lower.columns) == 5
    assert lower.rows[0].across(1000) == pytest.approx(second[0], abs=1.5)


def test_a_page_frame_is_not_a_table() -> None:
    page = _page()
    cv2.rectangle(page, (20, 20), (WIDTH - 20, HEIGHT - 20), 20, 3)
    _draw_table(page, COLUMNS, ROWS)
    [grid] = _grids(page)
    assert _column_xs(grid, 600) == pytest.approx(COLUMNS, abs=1.5)


def test_a_page_without_rules_has_no_table() -> None:
    page = _page()
    cv2.putText(page, "KARTU KELUARGA", (600, 200), cv2.FONT_HERSHEY_SIMPLEX, 3, 20, 6)
    assert _grids(page) == []


def test_column_lines_of_a_table_photographed_at_an_angle_stay_one_table() -> None:
    """The table's top and bottom lines converge: the column lines' ends drift across it."""
    page = _page()
    top = [(x, 450 + (x - 60) * 0.03) for x in COLUMNS]
    bottom = [(x, 850 - (x - 60) * 0.01) for x in COLUMNS]
    for (x, y0), (_x, y1) in zip(top, bottom, strict=True):
        cv2.line(page, (x, int(y0)), (x, int(y1)), 20, 2)
    for k in range(9):
        share = k / 8
        left = top[0][1] + share * (bottom[0][1] - top[0][1])
        right = top[-1][1] + share * (bottom[-1][1] - top[-1][1])
        cv2.line(page, (COLUMNS[0], int(left)), (COLUMNS[-1], int(right)), 20, 2)
    [grid] = _grids(page)
    assert len(grid.columns) == len(COLUMNS) and len(grid.rows) == 9


def test_cells_are_located_and_cleared_of_their_lines() -> None:
    page = _page()
    _draw_table(page, COLUMNS, ROWS)
    cv2.putText(page, "SITI", (160, ROWS[2] + 38), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 20, 3)
    ink = ink_mask(page)
    [grid] = _grids(page)
    assert grid.locate(200, ROWS[2] + 20) == (2, 1)
    assert grid.locate(10, ROWS[2] + 20) is None
    clear = int(np.ceil(rule_thickness(ink, grid) / 2)) + 2
    cell = clear_cell(page, ink, grid, 2, 1, clear)
    # The part cut reaches past the lines; none of their ink is left in it.
    assert cell.box.x < COLUMNS[1] and cell.box.x + cell.box.w > COLUMNS[2]
    assert cell.image.min() < 100
    box = text_box(cell.ink)
    assert box is not None
    # The text box is the word's, not the cell's.
    assert 150 <= box.x + cell.box.x <= 170 and box.w < 120
    assert 10 < box.h < 40
    empty = clear_cell(page, ink, grid, 5, 1, clear)
    assert text_box(empty.ink) is None
    assert empty.image.min() > 200


def test_a_header_row_read_across_its_cells() -> None:
    page = _page()
    _draw_table(page, COLUMNS, ROWS)
    ink = ink_mask(page)
    [grid] = _grids(page)
    row = clear_cell(page, ink, grid, 0, 0, 3, span=len(COLUMNS) - 1)
    assert row.box.x < COLUMNS[0] and row.box.x + row.box.w > COLUMNS[-1]
    # Every line inside the row is painted out with the borders.
    assert row.image.min() > 200


def test_rule_thickness_is_measured() -> None:
    page = _page()
    _draw_table(page, COLUMNS, ROWS, thickness=4)
    ink = ink_mask(page)
    [grid] = _grids(page)
    assert 3 <= rule_thickness(ink, grid) <= 6


def test_a_double_ruled_border_is_one_column_line() -> None:
    page = _page()
    _draw_table(page, COLUMNS, ROWS)
    cv2.line(page, (COLUMNS[0] - 6, ROWS[0]), (COLUMNS[0] - 6, ROWS[-1]), 20, 2)
    [grid] = _grids(page)
    assert len(grid.columns) == len(COLUMNS)
