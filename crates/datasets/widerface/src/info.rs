//! The WIDER Face info card and its 61 events.

use zukan_schema::{DatasetInfo, Split};

/// The registry name users type.
pub const NAME: &str = "widerface";

/// The official homepage (the authors moved it here from mmlab.ie.cuhk.edu.hk).
pub const HOMEPAGE: &str = "http://shuoyang1213.me/WIDERFACE/";

/// The release this crate reads. The authors give the dataset no version number; `v1` names
/// the one release whose archives are pinned in `resources.json` (Hugging Face calls the same
/// files version 1.0.0). A second `wider_face_split.zip` with another md5 has circulated
/// (research notes, section 1.1); if it is ever adopted it becomes another release.
pub const RELEASE: &str = "v1";

/// The licence. The authors' page states none in machine-readable form; this is the licence
/// Hugging Face records for the dataset (huggingface/datasets
/// `datasets/wider_face/dataset_infos.json` @ 040102f100964a33fd334e2695f1c493fa6b92db).
pub const LICENSE: &str =
    "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International (CC BY-NC-ND 4.0)";

/// The paper to cite (Yang, Luo, Loy, Tang, CVPR 2016): the entry of the Hugging Face card
/// (`yang2016wider`), fields reordered.
pub const CITATION: &str = "@inproceedings{yang2016wider,
  author    = {Yang, Shuo and Luo, Ping and Loy, Chen Change and Tang, Xiaoou},
  title     = {WIDER FACE: A Face Detection Benchmark},
  booktitle = {IEEE Conference on Computer Vision and Pattern Recognition (CVPR)},
  year      = {2016}
}
";

/// The 61 event folders, in the order the authors' files list them (sorted as strings, so
/// `10--` comes before `2--`; there is no `60--`).
///
/// Derived from the real `wider_face_val_bbx_gt.txt`, which has images of every event:
/// `grep '\.jpg$' wider_face_val_bbx_gt.txt | cut -d/ -f1 | uniq` gives these 61 lines, the
/// same as `event_list` in the authors' `wider_face_val.mat`. The test
/// `events_match_the_real_val_ground_truth` re-derives them.
pub const EVENTS: [&str; 61] = [
    "0--Parade",
    "1--Handshaking",
    "10--People_Marching",
    "11--Meeting",
    "12--Group",
    "13--Interview",
    "14--Traffic",
    "15--Stock_Market",
    "16--Award_Ceremony",
    "17--Ceremony",
    "18--Concerts",
    "19--Couple",
    "2--Demonstration",
    "20--Family_Group",
    "21--Festival",
    "22--Picnic",
    "23--Shoppers",
    "24--Soldier_Firing",
    "25--Soldier_Patrol",
    "26--Soldier_Drilling",
    "27--Spa",
    "28--Sports_Fan",
    "29--Students_Schoolkids",
    "3--Riot",
    "30--Surgeons",
    "31--Waiter_Waitress",
    "32--Worker_Laborer",
    "33--Running",
    "34--Baseball",
    "35--Basketball",
    "36--Football",
    "37--Soccer",
    "38--Tennis",
    "39--Ice_Skating",
    "4--Dancing",
    "40--Gymnastics",
    "41--Swimming",
    "42--Car_Racing",
    "43--Row_Boat",
    "44--Aerobics",
    "45--Balloonist",
    "46--Jockey",
    "47--Matador_Bullfighter",
    "48--Parachutist_Paratrooper",
    "49--Greeting",
    "5--Car_Accident",
    "50--Celebration_Or_Party",
    "51--Dresses",
    "52--Photographers",
    "53--Raid",
    "54--Rescue",
    "55--Sports_Coach_Trainer",
    "56--Voter",
    "57--Angler",
    "58--Hockey",
    "59--people--driving--car",
    "6--Funeral",
    "61--Street_Battle",
    "7--Cheering",
    "8--Election_Campain",
    "9--Press_Conference",
];

/// The event folder of an image path from an annotation file: its first component
/// (`0--Parade` for `0--Parade/0_Parade_marchingband_1_465.jpg`); `None` without a `/`.
pub fn event_of(path: &str) -> Option<&str> {
    path.split_once('/')
        .map(|(event, _)| event)
        .filter(|event| !event.is_empty())
}

/// An event folder's number and name, split on the FIRST `--` only, because one event name
/// holds `--` itself: `59--people--driving--car` → `(59, "people--driving--car")`.
pub fn event_number_and_name(event: &str) -> Option<(u32, &str)> {
    let (number, name) = event.split_once("--")?;
    Some((number.parse().ok()?, name))
}

/// The info card.
pub fn info() -> DatasetInfo {
    DatasetInfo {
        name: NAME.to_owned(),
        title: "WIDER FACE".to_owned(),
        release: RELEASE.to_owned(),
        homepage: HOMEPAGE.to_owned(),
        license: LICENSE.to_owned(),
        citation: CITATION.to_owned(),
        // Figures from the authors' page (also quoted in the Hugging Face card).
        description: "A face detection benchmark: 32,203 images chosen from the WIDER dataset \
                      with 393,703 labelled faces that vary widely in scale, pose and occlusion, \
                      organised in 61 event classes, each split 40%/10%/50% into train, val and \
                      test. Every face box carries blur, expression, illumination, occlusion, \
                      pose and invalid labels. The authors withhold the test boxes."
            .to_owned(),
        class_names: vec!["face".to_owned()],
        splits: vec![Split::Train, Split::Val, Split::Test],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_of_takes_the_first_path_component() {
        let check =
            |path: &str, expected: Option<&str>| assert_eq!(event_of(path), expected, "{path}");
        check(
            "0--Parade/0_Parade_marchingband_1_465.jpg",
            Some("0--Parade"),
        );
        check(
            "59--people--driving--car/59_peopledrivingcar_peopledrivingcar_59_592.jpg",
            Some("59--people--driving--car"),
        );
        check("no_folder.jpg", None);
        check("/abs.jpg", None);
    }

    #[test]
    fn event_names_split_on_the_first_double_dash_only() {
        let check = |event: &str, expected: Option<(u32, &str)>| {
            assert_eq!(event_number_and_name(event), expected, "{event}")
        };
        check(
            "59--people--driving--car",
            Some((59, "people--driving--car")),
        );
        check("0--Parade", Some((0, "Parade")));
        check("Parade", None);
        check("x--Parade", None);
        for event in EVENTS {
            assert!(event_number_and_name(event).is_some(), "{event}");
        }
    }

    #[test]
    fn event_numbers_are_0_to_61_without_60() {
        let mut numbers: Vec<u32> = EVENTS
            .iter()
            .filter_map(|e| event_number_and_name(e))
            .map(|(n, _)| n)
            .collect();
        numbers.sort_unstable();
        let expected: Vec<u32> = (0..=61).filter(|&n| n != 60).collect();
        assert_eq!(numbers, expected);
    }
}
